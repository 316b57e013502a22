"""dl4lib: helper library for the DL-4 course "Optimization in neural networks".

Importing the package is cheap: it imports no TensorFlow. Each submodule imports what it needs,
so `dl4lib.activations` and `dl4lib.checks` stay NumPy-only, and TensorFlow is loaded only by
the modules about GradientTape and Keras layers. `dl4lib.plot_gd` is resolved lazily for the
same reason.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "plot_gd"]


def __getattr__(name):
    if name == "plot_gd":
        from dl4lib.gd_animation import plot_gd

        return plot_gd
    raise AttributeError(f"module 'dl4lib' has no attribute {name!r}")
