//! A simple layered layout for the BPMN diagram of one workflow: columns left to right by
//! longest path from the start, lanes as horizontal bands, orthogonal edges.
//!
//! 1. A depth-first search from the first node (the start event) marks the edges that close a
//!    loop (back edges); without them the graph is acyclic.
//! 2. Each node's column is the length of the longest path to it over the remaining edges, so
//!    every forward edge goes at least one column to the right.
//! 3. Within its lane, a node takes the row of the predecessor that placed it (so chains are
//!    straight lines), or the next free row below it in its column.
//! 4. Forward edges bend in the gap before the target's column (gateways fan out from their top
//!    or bottom corner instead). Back edges leave to the right, run left along a channel at the
//!    bottom of the source's lane (one track each), and enter the target from the left.
//!
//! Linear in nodes and edges; no hash order reaches the output.

use std::collections::HashSet;

/// The sizes of the grid nodes are placed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grid {
    /// Width of a column: a cell for the node and a gap for bends and labels.
    pub col_w: i64,
    /// Width of the cell a node is centred in (the widest node, a task).
    pub cell_w: i64,
    /// Height of a row: the tallest node with room for the names set under gateways and events.
    pub row_h: i64,
    /// Distance between the tracks of back edges in a lane's channel.
    pub track: i64,
}

/// The BPMN export's grid: bpmn-js sizes (tasks 100 x 80), five lines of a gateway's name
/// under it.
pub(crate) const BPMN: Grid = Grid {
    col_w: 170,
    cell_w: 100,
    row_h: 140,
    track: 12,
};

/// A node to place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    /// Lane index.
    pub lane: usize,
    /// Width.
    pub w: i64,
    /// Height.
    pub h: i64,
    /// Whether it is a gateway (its edges may leave from its top and bottom corners).
    pub gateway: bool,
}

/// A placed rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    /// Left.
    pub x: i64,
    /// Top.
    pub y: i64,
    /// Width.
    pub w: i64,
    /// Height.
    pub h: i64,
}

impl Rect {
    /// Horizontal centre.
    pub fn cx(&self) -> i64 {
        self.x + self.w / 2
    }
    /// Vertical centre.
    pub fn cy(&self) -> i64 {
        self.y + self.h / 2
    }
    /// Right edge.
    pub fn right(&self) -> i64 {
        self.x + self.w
    }
    /// Bottom edge.
    pub fn bottom(&self) -> i64 {
        self.y + self.h
    }
    /// The same rectangle moved by `(dx, dy)`.
    pub fn moved(self, dx: i64, dy: i64) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }
}

/// The layout of one workflow, relative to the top left of its first lane's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Each node's rectangle.
    pub nodes: Vec<Rect>,
    /// Each lane's top and height.
    pub lanes: Vec<(i64, i64)>,
    /// Each edge's waypoints.
    pub edges: Vec<Vec<(i64, i64)>>,
    /// Each node's column (0: the start's).
    pub columns: Vec<usize>,
    /// Each lane's number of rows (its channel of back edges is under them).
    pub rows: Vec<usize>,
    /// Width of the content.
    pub width: i64,
}

/// Lay out `nodes` (node 0 first: the start) joined by `edges` (from, to), in `lanes` lanes, on
/// `grid`.
pub(crate) fn layout(
    nodes: &[Node],
    edges: &[(usize, usize)],
    lanes: usize,
    grid: &Grid,
) -> Layout {
    let Grid {
        col_w,
        cell_w,
        row_h,
        track: track_gap,
    } = *grid;
    let n = nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, &(from, _)) in edges.iter().enumerate() {
        out[from].push(e);
    }

    // 1. Depth-first search for back edges, remembering the order nodes are first met.
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let mut color = vec![WHITE; n];
    let mut back = vec![false; edges.len()];
    let mut met = Vec::with_capacity(n);
    for root in 0..n {
        if color[root] != WHITE {
            continue;
        }
        color[root] = GREY;
        met.push(root);
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            if let Some(&e) = out[v].get(i) {
                top.1 += 1;
                let t = edges[e].1;
                match color[t] {
                    WHITE => {
                        color[t] = GREY;
                        met.push(t);
                        stack.push((t, 0));
                    }
                    GREY => back[e] = true,
                    _ => {}
                }
            } else {
                color[v] = BLACK;
                stack.pop();
            }
        }
    }

    // 2. Longest path over the forward edges (Kahn's order).
    let mut indegree = vec![0usize; n];
    for (e, &(_, to)) in edges.iter().enumerate() {
        if !back[e] {
            indegree[to] += 1;
        }
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).rev().collect();
    while let Some(v) = ready.pop() {
        for &e in &out[v] {
            if back[e] {
                continue;
            }
            let t = edges[e].1;
            layer[t] = layer[t].max(layer[v] + 1);
            indegree[t] -= 1;
            if indegree[t] == 0 {
                ready.push(t);
            }
        }
    }

    // 3. Rows: in the order nodes were met, each takes its placing predecessor's row when free.
    let mut first_pred: Vec<Option<usize>> = vec![None; n];
    for (e, &(from, to)) in edges.iter().enumerate() {
        if !back[e] && first_pred[to].is_none() && nodes[from].lane == nodes[to].lane {
            first_pred[to] = Some(from);
        }
    }
    let mut order = met;
    order.sort_by_key(|&v| layer[v]);
    let mut taken: HashSet<(usize, usize, usize)> = HashSet::with_capacity(n);
    let mut row = vec![0usize; n];
    let mut rows = vec![1usize; lanes.max(1)];
    for &v in &order {
        let lane = nodes[v].lane;
        let mut r = first_pred[v].map_or(0, |p| row[p]);
        while taken.contains(&(lane, layer[v], r)) {
            r += 1;
        }
        taken.insert((lane, layer[v], r));
        row[v] = r;
        rows[lane] = rows[lane].max(r + 1);
    }

    // 4. Back edges get a track in the channel under their source's lane.
    let mut track = vec![0usize; edges.len()];
    let mut tracks = vec![0usize; rows.len()];
    for (e, &(from, to)) in edges.iter().enumerate() {
        if layer[to] <= layer[from] {
            track[e] = tracks[nodes[from].lane];
            tracks[nodes[from].lane] += 1;
        }
    }
    let mut lane_boxes = Vec::with_capacity(rows.len());
    let mut top = 0;
    for (l, &r) in rows.iter().enumerate() {
        let channel = if tracks[l] > 0 {
            track_gap * (tracks[l] as i64 + 1)
        } else {
            0
        };
        let height = r as i64 * row_h + channel;
        lane_boxes.push((top, height));
        top += height;
    }

    let rects: Vec<Rect> = (0..n)
        .map(|v| {
            let node = nodes[v];
            Rect {
                x: layer[v] as i64 * col_w + (cell_w - node.w) / 2,
                y: lane_boxes[node.lane].0 + row[v] as i64 * row_h + (row_h - node.h) / 2,
                w: node.w,
                h: node.h,
            }
        })
        .collect();

    let gap = col_w - cell_w;
    // Whether the cells of `lane`'s row `r` are free in the columns strictly between `a` and `b`.
    let free_between = |lane: usize, r: usize, a: usize, b: usize| {
        (a + 1..b).all(|c| !taken.contains(&(lane, c, r)))
    };
    let routes = edges
        .iter()
        .enumerate()
        .map(|(e, &(from, to))| {
            let (s, t) = (rects[from], rects[to]);
            let (ls, lt) = (layer[from], layer[to]);
            let (lane_s, lane_t) = (nodes[from].lane, nodes[to].lane);
            // The gaps before and after a column hold no nodes: vertical segments run there.
            let gap_before = |c: usize| c as i64 * col_w - gap / 2;
            if lt <= ls {
                let k = track[e] as i64;
                let channel =
                    lane_boxes[lane_s].0 + rows[lane_s] as i64 * row_h + track_gap * (k + 1);
                let xs = ls as i64 * col_w + cell_w + 12 + 6 * (k % 5);
                let xt = lt as i64 * col_w - 12 - 6 * (k % 5);
                return vec![
                    (s.right(), s.cy()),
                    (xs, s.cy()),
                    (xs, channel),
                    (xt, channel),
                    (xt, t.cy()),
                    (t.x, t.cy()),
                ];
            }
            let (rs, rt) = (row[from], row[to]);
            if lane_s == lane_t && rs == rt && free_between(lane_s, rs, ls, lt) {
                return vec![(s.right(), s.cy()), (t.x, t.cy())];
            }
            let fan_out = nodes[from].gateway
                && lane_s == lane_t
                && lt == ls + 1
                && (rs.min(rt) + 1..=rs.max(rt)).all(|r| !taken.contains(&(lane_s, ls, r)));
            if fan_out {
                let exit = if t.cy() < s.cy() { s.y } else { s.bottom() };
                return vec![(s.cx(), exit), (s.cx(), t.cy()), (t.x, t.cy())];
            }
            if free_between(lane_s, rs, ls, lt) {
                let xv = gap_before(lt);
                return vec![
                    (s.right(), s.cy()),
                    (xv, s.cy()),
                    (xv, t.cy()),
                    (t.x, t.cy()),
                ];
            }
            if free_between(lane_t, rt, ls, lt) {
                let xv = gap_before(ls + 1);
                return vec![
                    (s.right(), s.cy()),
                    (xv, s.cy()),
                    (xv, t.cy()),
                    (t.x, t.cy()),
                ];
            }
            // Both rows are blocked: run along the border between two rows, where no node is.
            let border = lane_boxes[lane_s].0 + (rs as i64 + i64::from(t.cy() >= s.cy())) * row_h;
            let (x1, x2) = (gap_before(ls + 1), gap_before(lt));
            vec![
                (s.right(), s.cy()),
                (x1, s.cy()),
                (x1, border),
                (x2, border),
                (x2, t.cy()),
                (t.x, t.cy()),
            ]
        })
        .collect();

    let columns = layer.iter().copied().max().map_or(0, |l| l + 1) as i64;
    Layout {
        nodes: rects,
        lanes: lane_boxes,
        edges: routes,
        columns: layer,
        rows,
        width: (columns * col_w - gap).max(cell_w) + 40,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(lane: usize) -> Node {
        Node {
            lane,
            w: 100,
            h: 80,
            gateway: false,
        }
    }

    #[test]
    fn a_chain_is_a_straight_line() {
        let l = layout(&[task(0), task(0), task(0)], &[(0, 1), (1, 2)], 1, &BPMN);
        assert_eq!(l.nodes[0].y, l.nodes[2].y);
        assert!(l.nodes[0].x < l.nodes[1].x && l.nodes[1].x < l.nodes[2].x);
        assert_eq!(
            l.edges[0],
            vec![(100, BPMN.row_h / 2), (BPMN.col_w, BPMN.row_h / 2)]
        );
    }

    #[test]
    fn a_loop_goes_back_through_the_channel_under_its_lane() {
        // 0 -> 1 -> 2 -> 1
        let l = layout(
            &[task(0), task(0), task(0)],
            &[(0, 1), (1, 2), (2, 1)],
            1,
            &BPMN,
        );
        assert_eq!(l.nodes[1].x, BPMN.col_w);
        assert_eq!(l.nodes[2].x, 2 * BPMN.col_w);
        assert_eq!(l.lanes, vec![(0, BPMN.row_h + 2 * BPMN.track)]);
        let back = &l.edges[2];
        assert_eq!(back.len(), 6);
        assert!(
            back.iter().any(|&(_, y)| y == BPMN.row_h + BPMN.track),
            "{back:?}"
        );
        assert_eq!(*back.last().unwrap(), (l.nodes[1].x, l.nodes[1].cy()));
    }

    #[test]
    fn branches_take_the_next_free_rows_and_lanes_stack() {
        // 0 forks to 1 and 2 in lane 0 and to 3 in lane 1.
        let l = layout(
            &[task(0), task(0), task(0), task(1)],
            &[(0, 1), (0, 2), (0, 3)],
            2,
            &BPMN,
        );
        assert_eq!(l.nodes[1].y, l.nodes[0].y);
        assert_eq!(l.nodes[2].y, l.nodes[0].y + BPMN.row_h);
        assert_eq!(
            l.lanes,
            vec![(0, 2 * BPMN.row_h), (2 * BPMN.row_h, BPMN.row_h)]
        );
        assert_eq!(l.nodes[3].y, 2 * BPMN.row_h + (BPMN.row_h - 80) / 2);
    }

    #[test]
    fn an_edge_never_runs_through_a_node_in_its_row() {
        // 0 -> 1 -> 2 in a row, and 0 -> 2 must not cross 1.
        let l = layout(
            &[task(0), task(0), task(0)],
            &[(0, 1), (1, 2), (0, 2)],
            1,
            &BPMN,
        );
        let around = &l.edges[2];
        let one = l.nodes[1];
        for w in around.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            let crosses = y1 == y2
                && y1 > one.y
                && y1 < one.bottom()
                && x1.min(x2) < one.right()
                && x1.max(x2) > one.x;
            assert!(!crosses, "{around:?} crosses {one:?}");
        }
    }

    #[test]
    fn longest_path_puts_a_join_after_its_longest_branch() {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3
        let l = layout(
            &[task(0), task(0), task(0), task(0)],
            &[(0, 1), (1, 2), (2, 3), (0, 3)],
            1,
            &BPMN,
        );
        assert_eq!(l.nodes[3].x, 3 * BPMN.col_w);
    }
}
