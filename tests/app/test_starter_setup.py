"""`make run`'s first step on a fresh data folder: the starter model is installed and registered
once, and a second run leaves things as they are."""
from app.models.catalog import default_model, installed_models
from app.models.starter_setup import ensure_a_model
from runtime.paths import STARTER_FILENAME, models_dir


def test_fresh_data_folder_gets_the_starter_model_once():
    assert installed_models() == []
    assert "installed the starter model" in ensure_a_model()
    models = installed_models()
    assert [m.id for m in models] == ["starter"]
    assert (models_dir() / STARTER_FILENAME).stat().st_size == 98362432
    assert "nothing to do" in ensure_a_model()
    assert len(installed_models()) == 1
    assert default_model() is None or default_model().id == "starter"
