"""The last encoder layer, computed only at the mask positions (exact).

After the last layer nothing mixes tokens any more, so of its output only the rows at
masks matter. Those rows still attend to every token (keys and values for all of them),
but the query, attention output and feed-forward (about 80% of the layer's work) run
on the mask rows alone. The result is the same arithmetic on fewer rows: probabilities
equal the full model's (tests compare with transformers' pipeline).

Only BERT-shaped layers (BERT, RoBERTa and their copies in transformers) are handled,
and only single-row batches; anything else runs the layer unchanged.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def install(model, rows_wanted, on_pruned):
    """Wrap the model's last encoder layer; returns the call that unwraps it, or None
    if the layer does not have the expected shape (it then runs unchanged).

    ``rows_wanted()`` returns the (batch_index, token_index) tensors of the current
    request or None; ``on_pruned()`` is called when the layer returned only those rows.
    """
    layers = getattr(getattr(model.base_model, "encoder", None), "layer", None)
    if not layers:
        return None
    last = layers[-1]
    attention = getattr(getattr(last, "attention", None), "self", None)
    config = getattr(model, "config", None)
    needed = (
        all(hasattr(attention, name) for name in ("query", "key", "value", "attention_head_size", "scaling"))
        and hasattr(last.attention, "output")
        and hasattr(last, "intermediate")
        and hasattr(last, "output")
        and not getattr(last, "is_decoder", True)
        and not getattr(last, "chunk_size_feed_forward", 0)
        and getattr(config, "_attn_implementation", None) in ("sdpa", "eager")
        and getattr(config, "position_embedding_type", "absolute") == "absolute"
    )
    if not needed:
        return None
    full_forward = last.forward
    own_forward = last.__dict__.get("forward")  # set on the instance before us, if any

    def forward(hidden_states, attention_mask=None, *args, **kwargs):
        rows = rows_wanted()
        plain = (
            rows is not None
            and all(a is None for a in args)  # BertEncoder passes encoder_hidden_states=None here
            and all(kwargs.get(k) is None for k in ("encoder_hidden_states", "cache", "past_key_values"))
            and hidden_states.dim() == 3
            and hidden_states.shape[0] == 1
            and not last.training
        )
        if not plain:
            return full_forward(hidden_states, attention_mask, *args, **kwargs)
        out = _rows_only(last, attention, hidden_states, attention_mask, rows[1])
        on_pruned()
        return out

    last.forward = forward

    def uninstall() -> None:
        if last.__dict__.get("forward") is not forward:
            return
        if own_forward is None:
            del last.forward  # the class's forward shows again
        else:
            last.forward = own_forward

    return uninstall


def _rows_only(layer, attention, hidden, attention_mask, positions):
    """BertLayer.forward for the rows ``positions`` of a batch of one."""
    length, size = hidden.shape[1], attention.attention_head_size
    picked = hidden[:, positions]  # (1, n, hidden)
    query = attention.query(picked).view(1, len(positions), -1, size).transpose(1, 2)
    key = attention.key(hidden).view(1, length, -1, size).transpose(1, 2)
    value = attention.value(hidden).view(1, length, -1, size).transpose(1, 2)
    mask = attention_mask
    if mask is not None:
        if mask.dim() == 4 and mask.shape[-2] == length:
            mask = mask[:, :, positions]
        elif mask.dim() == 2:  # (batch, keys) of 1/0
            mask = mask[:, None, None, :].bool()
    context = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, scale=attention.scaling)
    context = context.transpose(1, 2).reshape(1, picked.shape[1], -1)
    attended = layer.attention.output(context, picked)
    return layer.output(layer.intermediate(attended), attended)
