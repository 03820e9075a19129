//! The Rhai engine every rule runs in: no clock, no modules, no `eval`, no output, and limits
//! that are all counted (operations, call depth, sizes of what a rule holds, the work of
//! weighing it), never timed, so that the same input gives the same answer on any machine at
//! any load. Floating-point arithmetic is checked: a result that is not a finite number
//! (division by zero, overflow, the square root of a negative number) is an error, as integer
//! arithmetic already is.

use rhai::{Dynamic, Engine, EvalAltResult, EvalContext, FnPtr, Position, Scope, FLOAT, INT};
use std::cell::Cell;

/// Most Rhai operations one evaluation may take: far more than any real rule needs (the
/// riksnorm computation takes a few hundred), few enough to stop `loop {}` in milliseconds.
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// Deepest call nesting of rule functions.
pub const MAX_CALL_DEPTH: usize = 32;
/// Longest string a rule may hold, in bytes (over all strings a function holds at once).
pub const MAX_STRING_BYTES: usize = 64 * 1024;
/// Most entries of the arrays (or of the maps) a function holds at once, nested ones counted.
pub const MAX_ENTRIES: usize = 10_000;
/// Deepest nesting of arrays and maps in a value.
pub const MAX_DATA_DEPTH: usize = 32;
/// Most values one evaluation may visit while weighing what its functions hold: the size
/// checks are work too, and are bounded like operations.
pub const MAX_WEIGHING: u64 = 50_000_000;

/// How often (in reads of variables holding containers) everything a function holds is
/// weighed; each read in between counts the read container's own entries.
pub const WEIGH_EVERY: u64 = 16;

thread_local! {
    /// Values weighed so far in the current evaluation.
    static WEIGHED: Cell<u64> = const { Cell::new(0) };
    /// Reads of variables holding containers so far in the current evaluation.
    static READS: Cell<u64> = const { Cell::new(0) };
}

/// Start counting the weighing work of a new evaluation.
pub(crate) fn reset_work() {
    WEIGHED.with(|w| w.set(0));
    READS.with(|r| r.set(0));
}

/// A container's own number of entries against the limit: at every read, in constant time.
fn own_entries(v: &Dynamic) -> Result<(), Box<EvalAltResult>> {
    if let Ok(a) = v.as_array_ref() {
        if a.len() > MAX_ENTRIES {
            return Err(too_large("Size of array"));
        }
    } else if let Ok(m) = v.as_map_ref() {
        if m.len() > MAX_ENTRIES {
            return Err(too_large("Size of object map"));
        }
    }
    Ok(())
}

/// The engine every rule is compiled and run with.
///
/// What it has: the language core (expressions, `if`, `switch`, loops, functions), arithmetic
/// and logic, strings, arrays, maps, maths and iterators. What it has not: modules and
/// `import`, `eval`, `print`/`debug` output, closures that capture variables, and the language
/// core package (`sleep`, `exit`, `parse_json`, reflection); `sleep` and `timestamp` are
/// defined only to say why they are missing.
pub fn sandbox() -> Engine {
    use rhai::packages::{
        ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage,
        BasicMathPackage, BasicStringPackage, LogicPackage, MoreStringPackage, Package,
    };
    let mut e = Engine::new_raw();
    for lib in [
        ArithmeticPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
    ] {
        e.register_global_module(lib);
    }
    e.set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_DEPTH)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(MAX_STRING_BYTES)
        .set_max_array_size(MAX_ENTRIES)
        .set_max_map_size(MAX_ENTRIES);
    e.disable_symbol("eval");
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    no_clock(&mut e);
    checked_floats(&mut e);
    // Rhai checks a value's size where it is made, but not the container an element is
    // assigned into (`m[k] = v`; the element is checked). Every write into a container reads
    // the container's variable first, so reads are where the containers are checked: each
    // read counts the container's own entries, and every WEIGH_EVERY-th read weighs
    // everything the function holds. Between two weighings at most WEIGH_EVERY element
    // assignments, each of a checked value, can have added to what the function holds.
    // `on_var` is marked volatile (deprecated as a warning of possible change), not obsolete.
    #[allow(deprecated)]
    e.on_var(|name, _, cx: EvalContext| {
        let scope = cx.scope();
        match scope.get(name) {
            Some(v) if holds_data(v) => {
                own_entries(v)?;
                let reads = READS.with(|r| {
                    r.set(r.get() + 1);
                    r.get()
                });
                if reads.is_multiple_of(WEIGH_EVERY) {
                    weigh_scope(scope)?;
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    });
    e
}

/// `sleep` and `timestamp` (and `Instant`) are not in the engine; calling them says why.
fn no_clock(e: &mut Engine) {
    const WHY: &str = "is not available in rules: a rule's answer may not depend on the clock \
                       (use `datum()` for the date the rule is asked about)";
    let refuse = |name: &str| -> Box<EvalAltResult> { format!("`{name}` {WHY}").into() };
    e.register_fn("sleep", move |_: FLOAT| -> Result<(), Box<EvalAltResult>> {
        Err(refuse("sleep"))
    });
    e.register_fn("sleep", move |_: INT| -> Result<(), Box<EvalAltResult>> {
        Err(refuse("sleep"))
    });
    e.register_fn("timestamp", move || -> Result<(), Box<EvalAltResult>> {
        Err(refuse("timestamp"))
    });
}

/// A floating-point result that is infinite or not a number, as an error.
fn finite(op: &str, x: FLOAT) -> Result<FLOAT, Box<EvalAltResult>> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(EvalAltResult::ErrorArithmetic(
            format!("`{op}` gives {x}, not a finite number (division by zero or overflow)"),
            Position::NONE,
        )
        .into())
    }
}

/// An operand that is not a finite number (a literal such as `1e999`), as an error.
fn operand(op: &str, x: FLOAT) -> Result<FLOAT, Box<EvalAltResult>> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(EvalAltResult::ErrorArithmetic(
            format!("`{op}` on {x}, which is not a finite number"),
            Position::NONE,
        )
        .into())
    }
}

/// Arithmetic and comparison on floats (and floats mixed with integers) go through checked
/// functions: built-in fast operators are turned off so that these are used, and op-assignment
/// (`x /= 0.0`) falls back to them. Maths functions that can leave the finite numbers are
/// replaced by checked ones. Integer arithmetic is checked by Rhai itself.
fn checked_floats(e: &mut Engine) {
    e.set_fast_operators(false);
    macro_rules! arithmetic {
        ($($op:literal => $f:expr),* $(,)?) => {$(
            e.register_fn($op, |a: FLOAT, b: FLOAT| arith($op, a, b, $f));
            e.register_fn($op, |a: FLOAT, b: INT| arith($op, a, b as FLOAT, $f));
            e.register_fn($op, |a: INT, b: FLOAT| arith($op, a as FLOAT, b, $f));
            e.register_fn(concat!($op, "="), |a: &mut FLOAT, b: FLOAT| {
                *a = arith($op, *a, b, $f)?;
                Ok::<(), Box<EvalAltResult>>(())
            });
            e.register_fn(concat!($op, "="), |a: &mut FLOAT, b: INT| {
                *a = arith($op, *a, b as FLOAT, $f)?;
                Ok::<(), Box<EvalAltResult>>(())
            });
        )*};
    }
    fn arith(
        op: &str,
        a: FLOAT,
        b: FLOAT,
        f: fn(FLOAT, FLOAT) -> FLOAT,
    ) -> Result<FLOAT, Box<EvalAltResult>> {
        operand(op, a)?;
        operand(op, b)?;
        if (op == "/" || op == "%") && b == 0.0 {
            return Err(EvalAltResult::ErrorArithmetic(
                "division by zero".to_string(),
                Position::NONE,
            )
            .into());
        }
        finite(op, f(a, b))
    }
    arithmetic! {
        "+" => |a, b| a + b,
        "-" => |a, b| a - b,
        "*" => |a, b| a * b,
        "/" => |a, b| a / b,
        "%" => |a, b| a % b,
        "**" => FLOAT::powf,
    }
    macro_rules! comparison {
        ($($op:literal => $f:expr),* $(,)?) => {$(
            e.register_fn($op, |a: FLOAT, b: FLOAT| compare($op, a, b, $f));
            e.register_fn($op, |a: FLOAT, b: INT| compare($op, a, b as FLOAT, $f));
            e.register_fn($op, |a: INT, b: FLOAT| compare($op, a as FLOAT, b, $f));
        )*};
    }
    fn compare(
        op: &str,
        a: FLOAT,
        b: FLOAT,
        f: fn(&FLOAT, &FLOAT) -> bool,
    ) -> Result<bool, Box<EvalAltResult>> {
        Ok(f(&operand(op, a)?, &operand(op, b)?))
    }
    comparison! {
        "==" => FLOAT::eq,
        "!=" => FLOAT::ne,
        "<" => FLOAT::lt,
        "<=" => FLOAT::le,
        ">" => FLOAT::gt,
        ">=" => FLOAT::ge,
    }
    e.register_fn("-", |a: FLOAT| operand("-", a).map(|a| -a));
    macro_rules! unary {
        ($($name:literal => $f:expr),* $(,)?) => {$(
            e.register_fn($name, |x: FLOAT| {
                let f: fn(FLOAT) -> FLOAT = $f;
                finite($name, f(operand($name, x)?))
            });
        )*};
    }
    unary! {
        "sin" => FLOAT::sin, "cos" => FLOAT::cos, "tan" => FLOAT::tan,
        "sinh" => FLOAT::sinh, "cosh" => FLOAT::cosh, "tanh" => FLOAT::tanh,
        "asin" => FLOAT::asin, "acos" => FLOAT::acos, "atan" => FLOAT::atan,
        "asinh" => FLOAT::asinh, "acosh" => FLOAT::acosh, "atanh" => FLOAT::atanh,
        "sqrt" => FLOAT::sqrt, "exp" => FLOAT::exp, "ln" => FLOAT::ln, "log" => FLOAT::log10,
        "to_degrees" => FLOAT::to_degrees, "to_radians" => FLOAT::to_radians,
    }
    e.register_fn("atan", |x: FLOAT, y: FLOAT| {
        finite("atan", operand("atan", x)?.atan2(operand("atan", y)?))
    });
    e.register_fn("hypot", |x: FLOAT, y: FLOAT| {
        finite("hypot", operand("hypot", x)?.hypot(operand("hypot", y)?))
    });
    e.register_fn("log", |x: FLOAT, base: FLOAT| {
        finite("log", operand("log", x)?.log(operand("log", base)?))
    });
    e.register_fn(
        "parse_float",
        |s: &str| -> Result<FLOAT, Box<EvalAltResult>> {
            let x: FLOAT = s
                .trim()
                .parse()
                .map_err(|_| -> Box<EvalAltResult> { format!("`{s}` is not a number").into() })?;
            finite("parse_float", x)
        },
    );
}

/// Whether a value is a container that can grow in place: an array, a map, or a function
/// pointer with curried values. (Rhai checks every string it makes.)
fn holds_data(v: &Dynamic) -> bool {
    v.is_array() || v.is_map() || v.is::<FnPtr>()
}

/// What a function holds, summed over its variables, and the values visited to find out.
#[derive(Default)]
struct Weight {
    entries_array: usize,
    entries_map: usize,
    string_bytes: usize,
    visited: u64,
    /// How many values may still be visited in this evaluation.
    budget: u64,
}

fn too_large(what: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorDataTooLarge(what.to_string(), Position::NONE).into()
}

/// Weigh every variable of `scope`; an error when together they are over a limit, nest deeper
/// than [`MAX_DATA_DEPTH`], or the evaluation has weighed more than [`MAX_WEIGHING`] values.
fn weigh_scope(scope: &Scope) -> Result<(), Box<EvalAltResult>> {
    let done = WEIGHED.with(Cell::get);
    let mut w = Weight {
        budget: MAX_WEIGHING.saturating_sub(done),
        ..Weight::default()
    };
    let result = scope
        .iter_raw()
        .try_for_each(|(_, _, v)| weigh(v, 0, &mut w));
    WEIGHED.with(|c| c.set(done + w.visited));
    result
}

fn weigh(v: &Dynamic, depth: usize, w: &mut Weight) -> Result<(), Box<EvalAltResult>> {
    w.visited += 1;
    if w.visited > w.budget {
        return Err(format!(
            "the rule handles too much data too often (more than {MAX_WEIGHING} values weighed \
             against the size limits): it does not finish"
        )
        .into());
    }
    if depth > MAX_DATA_DEPTH {
        return Err(too_large("Nesting of arrays and maps"));
    }
    if !(v.is_array() || v.is_map() || v.is_string() || v.is::<FnPtr>()) {
        return Ok(());
    }
    if let Ok(a) = v.as_array_ref() {
        w.entries_array += a.len();
        if w.entries_array > MAX_ENTRIES {
            return Err(too_large("Size of array"));
        }
        for x in a.iter() {
            weigh(x, depth + 1, w)?;
        }
    } else if let Ok(m) = v.as_map_ref() {
        w.entries_map += m.len();
        if w.entries_map > MAX_ENTRIES {
            return Err(too_large("Size of object map"));
        }
        for (k, x) in m.iter() {
            w.string_bytes += k.len();
            weigh(x, depth + 1, w)?;
        }
    } else if let Ok(s) = v.as_immutable_string_ref() {
        w.string_bytes += s.len();
    } else if let Some(f) = v.read_lock::<FnPtr>() {
        for x in f.iter_curry() {
            weigh(x, depth + 1, w)?;
        }
    }
    if w.string_bytes > MAX_STRING_BYTES {
        return Err(too_large("Length of string"));
    }
    Ok(())
}
