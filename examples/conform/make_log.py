"""Write lindesberg.xes: a small, invented, pseudonymised event log of Lindesberg's
försörjningsstöd and AME, as a case system would export it, with two deviations planted.

Nothing here comes from a real case system: the 30 cases, their ids and dates are made up.
The activity names are a case system's own words; lindesberg-map.yaml relates them to steps.

Planted deviations (what `steg conform` must find, and nothing else):
  1. No handlingsplan at application number two (the first monthly application) in every
     third case (10 of 30).
  2. A return that never happens: in 3 cases AME returns the case to the referrer
     (återremittering), but no new planning follows; the case is closed without the
     labour-market track ever being closed by the socialsekreterare.
Every other case follows the model. Run `python3 make_log.py` to write the file again.
"""
from datetime import date, timedelta

CASES = 30
START = date(2022, 1, 10)


def offset(d):
    """Swedish local time's offset on day d (summer time from the last Sunday of March to the
    last Sunday of October)."""
    def last_sunday(month):
        x = date(d.year, month, 31)
        while x.weekday() != 6:
            x -= timedelta(days=1)
        return x
    return "+02:00" if last_sunday(3) <= d < last_sunday(10) else "+01:00"


def kind(i):
    """The way case i goes: returned without a return (3), returned and planned again (6),
    studies (6), work (15)."""
    if i in (5, 14, 23):
        return "no_return"
    if i % 5 == 2:
        return "returned"
    if i % 5 == 4:
        return "studies"
    return "work"


def events(i):
    d0 = START + timedelta(days=3 * i)
    ev = [
        (0, "Ansökan registrerad"),
        (5, "Utredning klar"),
        (8, "Beslut om ekonomiskt bistånd"),
        (9, "Journalanteckning"),
        (10, "Anvisning till AME"),
        (14, "Inskriven på AME"),
        (20, "Kartläggningssamtal"),
        (31, "Månadsansökan prövad"),
    ]
    # The first monthly application is application number two (the first is the one at day
    # 0): the plan is made then, the next day, in two cases of three.
    if i % 3 != 0:
        ev.append((32, "Handlingsplan upprättad"))
    ev += [
        (32, "Beslut om försörjningsstöd"),
        (33, "Utbetalning"),
        (61, "Månadsansökan prövad"),
        (62, "Beslut om försörjningsstöd"),
        (63, "Utbetalning"),
        (70, "Telefonsamtal"),
    ]
    k = kind(i)
    if k == "work":
        ev += [(80, "Arbete erhållet"), (81, "Arbetsmarknadsspåret avslutat")]
    elif k == "studies":
        ev += [(80, "Studier påbörjade"), (81, "Arbetsmarknadsspåret avslutat")]
    elif k == "returned":
        ev += [(80, "Återremitterad från AME"), (85, "Ny planering"),
               (90, "Arbetsmarknadsspåret avslutat")]
    else:
        ev += [(80, "Återremitterad från AME")]
    ev += [(95, "Ärendet inte längre aktuellt"), (96, "Ärendet avslutat")]
    out = []
    today = {}
    for days, activity in ev:
        d = d0 + timedelta(days=days)
        # Working hours: from a quarter past nine, an hour later for each event of the day.
        n = today[d] = today.get(d, -1) + 1
        stamp = f"{d.isoformat()}T{9 + n:02d}:{15 + i % 30:02d}:00.000{offset(d)}"
        out.append((activity, stamp))
    return out


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">',
    '  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>',
    '  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>',
    '  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>',
    '  <global scope="trace">',
    '    <string key="concept:name" value="__INVALID__"/>',
    "  </global>",
    '  <global scope="event">',
    '    <string key="concept:name" value="__INVALID__"/>',
    '    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>',
    "  </global>",
    '  <classifier name="Activity" keys="concept:name"/>',
    '  <string key="concept:name" value="Exempel: ärendesystemets logg, pseudonymiserad (påhittad)"/>',
]
for i in range(1, CASES + 1):
    lines.append("  <trace>")
    lines.append(f'    <string key="concept:name" value="P{i:04d}"/>')
    # A personal attribute a real export might carry: steg conform must never print it.
    lines.append(f'    <string key="personnummer" value="19{60 + i:02d}0101-{1000 + i:04d}"/>')
    for activity, stamp in events(i):
        lines.append("    <event>")
        lines.append(f'      <string key="concept:name" value="{esc(activity)}"/>')
        lines.append('      <string key="lifecycle:transition" value="complete"/>')
        lines.append(f'      <date key="time:timestamp" value="{stamp}"/>')
        lines.append("    </event>")
    lines.append("  </trace>")
lines.append("</log>")
with open("lindesberg.xes", "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
