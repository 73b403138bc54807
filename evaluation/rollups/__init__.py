"""The evaluation engine's read side: a fiscal year's figures from indicators up to the plan.

`selectors` fetch the rows, `compute` applies `strategy.achievement`'s arithmetic and builds the
explained tree, `figures` turns it into JSON, `year` is the entry point (with the proposed grades
the workflow stores), `snapshots` freezes a year as reported and compares it with today, and
`views` show how each figure was computed and what changed since the year was reported.
"""
