"""Global configuration: the config directory, the stack store, repositories."""
