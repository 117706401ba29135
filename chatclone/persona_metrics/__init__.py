"""Does the double sound like the person? Persona metrics of a training run, base model against tuned.

- `heldout`: the held-out prompts (a persona reply and the turns before it) and each side's lines.
- `ranking`: reply ranking: the real reply scored against k length-matched distractors (acc@1, MRR).
- `style`: a 0-100 style score of a set of replies against the person's habits, calibrated on their own replies.
- `authorship`: a character n-gram classifier of persona vs other speakers; the share of replies it gives the persona.
- `scenarios`: configured conversations replayed with each model, saved as transcripts.
- `suite`: all of it for one run; `results` saves it; `report` writes the HTML; `compare` sets two runs side by side.
"""
