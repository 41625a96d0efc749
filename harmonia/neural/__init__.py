"""Neural models (optional extra ``neural``: torch, diffusers).

Nothing is implemented here yet; the structure and stem transformers, the diffusion renderer and
preference fine-tuning arrive with their own issues.  Importing this package never imports torch.
"""
