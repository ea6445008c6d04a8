"""What the outputs mean: estimates with intervals, figures, sensitivity analysis and
calibration."""
