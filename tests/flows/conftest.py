import pytest


@pytest.fixture(scope="session", autouse=True)
def prefect_backend(tmp_path_factory):
    """A real, temporary Prefect API (its own SQLite database) for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
