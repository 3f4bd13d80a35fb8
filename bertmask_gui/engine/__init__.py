"""The prediction engine: plain Python + torch + transformers, no Qt.

Import from the submodules (``engine.predictor``, ``engine.masks`` ...): this package
file stays empty so that importing ``engine.masks`` never pulls in torch.
"""
