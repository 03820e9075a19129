//! N001: a net that can reach a marking from which no final marking can be reached.

declare_check! {
    /// ## What it does
    /// Decides the soundness of a place/transition net read from a PNML file (`steg check
    /// model.pnml`), on the net as written: arc weights, several sinks and choices that are not
    /// free choices included (see docs/import.md for the final markings used). It reports a
    /// reachable marking from which no final marking can be reached: either nothing is enabled
    /// there (a deadlock: a transition waits for a token that never comes) or the moves left go
    /// round without end (a livelock), with the shortest firing sequence that leads there.
    ///
    /// ## Why is this bad?
    /// A case that takes that path never ends: it waits for ever, or goes round for ever, and
    /// its outcome is never recorded.
    ///
    /// ## Example
    /// ```text
    /// t0: i → {p1, p2};  a: p1 → d;  b: p2 → d;  c1: d → y1;  c2: d → y2;  j: {y1, y2} → o
    /// after t0, a, b, c1, c1 the marking is {2·y1}: j waits for y2 for ever
    /// ```
    ///
    /// ## Use instead
    /// Synchronise the branches before the choice (`{p1, p2} → d`), or let each branch make
    /// its own choice and join them after it.
    pub static NET_CANNOT_COMPLETE = ("N001", NetCannotComplete, Error);
}
