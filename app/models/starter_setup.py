"""`python -m app.models.starter_setup`: give a fresh installation a model to talk to. If no model is
installed, install and register the starter model (SmolLM2-135M-Instruct); otherwise do nothing.
`make run` calls it before starting the window.
"""
from .catalog import installed_models
from .downloads import install_starter_model


def ensure_a_model() -> str:
    """A sentence saying what was done."""
    present = [model for model in installed_models() if model.exists]
    if present:
        return f"{len(present)} model(s) installed; nothing to do"
    model = install_starter_model()
    return f"installed the starter model at {model.path}"


if __name__ == "__main__":
    print(ensure_a_model())
