"""The framework-free calculation core. No Django import here, ever (checked by import-linter)."""

ENGINE_VERSION = "0.1.0"
