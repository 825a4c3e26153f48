import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a folder of its own, and so do the badge files it renders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BADGE_RENDER_DIR = tmp_path / "render"
