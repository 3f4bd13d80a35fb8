"""Layer 4: the rankings. Each is a function of a ``Job`` (encoder, runner, vocabulary,
cancellation) and the request's options; none runs the model except through the runner.

- ``pieces``: the model's raw single-token ranking (equal to the fill-mask pipeline);
- ``words``: whole-word generation and PLL-word-l2r scoring (the shared machinery);
- ``at_masks``: the writer's word list at every mask (+ fill-all rows);
- ``selection``: alternatives for a selected word;
- ``fill_all``: complete fillings of several masks, chosen jointly;
- ``lists``: filter, case, rank, cut, and the shares shown.
"""
