"""What plugin authors touch: hook specs, features, extension points and service refs."""
