"""The last encoder layer, computed only at the mask positions (exact).

After the last layer nothing mixes tokens any more, so of its output only the rows at
masks matter. Those rows still attend to every token (keys and values for all of them),
but the query, attention output and feed-forward (about 80% of the layer's work) run
on the mask rows alone. The result is the same arithmetic on fewer rows: probabilities
equal the full model's (tests compare with transformers' pipeline).

Only BERT-shaped layers (BERT, RoBERTa and their copies in transformers) are handled,
and only batches whose rows all ask the same number of positions (one row with every
mask of a text, or the whole-word rankings' many rows with one position each); anything
else runs the layer unchanged.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def install(model, rows_wanted, on_pruned):
    """Wrap the model's last encoder layer; returns the call that unwraps it, or None
    if the layer does not have the expected shape (it then runs unchanged).

    ``rows_wanted()`` returns the (batch_index, token_index) tensors of the current
    request, or the (batch, k) positions themselves (the ONNX export traces this: no
    data-dependent check), or None; ``on_pruned()`` is called when the layer returned
    only those rows.
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
            and not last.training
        )
        positions = None
        if plain:
            positions = rows if isinstance(rows, torch.Tensor) else _per_row(rows, hidden_states.shape[0])
        if positions is None:
            return full_forward(hidden_states, attention_mask, *args, **kwargs)
        out = _rows_only(last, attention, hidden_states, attention_mask, positions)
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


def _per_row(rows, batch: int) -> torch.Tensor | None:
    """The asked positions as a (batch, k) tensor when every row asks k of them, in
    row order (the order the LM head's rows come in); else None."""
    batch_index, token_index = rows
    asked = batch_index.numel()
    if asked == 0 or asked % batch:
        return None
    per_row = asked // batch
    expected = torch.arange(batch, device=batch_index.device).repeat_interleave(per_row)
    if not torch.equal(batch_index, expected):
        return None
    return token_index.view(batch, per_row)


def _rows_only(layer, attention, hidden, attention_mask, positions):
    """BertLayer.forward for the (batch, k) ``positions`` only: (1, batch·k, hidden)."""
    batch, length, width = hidden.shape
    asked, size = positions.shape[1], attention.attention_head_size
    picked = hidden.gather(1, positions[..., None].expand(-1, -1, width))  # (batch, k, hidden)
    query = attention.query(picked).view(batch, asked, -1, size).transpose(1, 2)
    key = attention.key(hidden).view(batch, length, -1, size).transpose(1, 2)
    value = attention.value(hidden).view(batch, length, -1, size).transpose(1, 2)
    mask = attention_mask
    if mask is not None:
        if mask.dim() == 4 and mask.shape[-2] == length:  # one row of keys per query: keep the asked ones
            index = positions[:, None, :, None].expand(mask.shape[0], mask.shape[1], asked, mask.shape[-1])
            mask = mask.gather(2, index)
        elif mask.dim() == 2:  # (batch, keys) of 1/0
            mask = mask[:, None, None, :].bool()
    context = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, scale=attention.scaling)
    context = context.transpose(1, 2).reshape(batch, asked, -1)
    attended = layer.attention.output(context, picked)
    return layer.output(layer.intermediate(attended), attended).reshape(1, batch * asked, width)
