# Deployment files: install rules and shipped configs.
