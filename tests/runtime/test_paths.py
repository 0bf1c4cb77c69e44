"""The data folder and the models folder, including a models folder linked to a drive that is gone."""
from runtime.paths import installed_models, models_dir


def test_models_folder_is_created_inside_the_data_folder(data_dir):
    assert models_dir() == data_dir / "models" and models_dir().is_dir()


def test_models_folder_on_a_removed_drive_does_not_crash(data_dir, tmp_path):
    (data_dir / "models").symlink_to(tmp_path / "unplugged-drive" / "models")
    assert models_dir() == data_dir / "models"
    assert installed_models() == []
