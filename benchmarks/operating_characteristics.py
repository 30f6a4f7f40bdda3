"""Operating characteristics of the verdict for the demo pilots.

A thin entry point to :mod:`livinglab.operating` (the simulation engine), beside the
other benchmarks::

    python benchmarks/operating_characteristics.py              # 200 pilots a row
    python benchmarks/operating_characteristics.py --runs 50 --pilot energy_feedback

Same options and output as ``python -m livinglab.operating``: for each demo pilot and
true effects of 0, 0.5, 1 and 2 smallest worthwhile effects, P(go), P(no_go),
P(extend), each criterion's pass/fail/inconclusive shares and the runtime.
"""

from __future__ import annotations

from livinglab.operating import main

if __name__ == "__main__":
    raise SystemExit(main())
