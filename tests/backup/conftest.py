from tests.privacy.conftest import demo as demo

__all__ = ["demo"]
