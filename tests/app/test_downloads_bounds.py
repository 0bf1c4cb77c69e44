"""Downloads bounded by what was announced: a server sending more than the file's size is read no further
(the file installs, verified), and one that trickles is dropped, retried, then given up with a message,
the partial file kept. Against the local fake Hub."""
import hashlib

import pytest

from app.models.downloads import NetworkError
from tests.app.fake_hub import fake_hub  # noqa: F401  (fixture)
from tests.app.test_downloads import SIZE, job, make_entry, payload


def test_a_server_sending_more_than_announced_is_read_no_further(fake_hub, tmp_path, data_dir):
    good = payload(SIZE)
    entry = make_entry(fake_hub, good + payload(3 * SIZE, seed=9), listed_sha256=None, advertised_size=SIZE,
                       advertised_sha256=hashlib.sha256(good).hexdigest())  # the Hub's size and hash: 4 MB
    model = job(fake_hub, entry, tmp_path).run()
    installed = data_dir / "models" / entry.files[0].name
    assert installed.read_bytes() == good and model is not None
    assert not installed.with_name(installed.name + ".part").exists()


def test_a_trickling_server_is_retried_then_given_up_with_the_part_kept(fake_hub, tmp_path, data_dir):
    entry = make_entry(fake_hub, payload(SIZE))
    fake_hub.trickle_bytes_per_s = 2000  # about 2 KB/s: far under the stall floor
    with pytest.raises(NetworkError, match="too slowly"):
        job(fake_hub, entry, tmp_path, stall_window_s=0.3, read_timeout=5).run()
    part = data_dir / "models" / (entry.files[0].name + ".part")
    assert part.exists() and 0 < part.stat().st_size < SIZE
    gets = [r for r in fake_hub.requests if r.method == "GET" and r.server == "cdn"]
    assert len(gets) == 3  # MAX_STALLS connections, each resuming where the last one stopped
    assert all(r.headers.get("range") for r in gets[1:])
