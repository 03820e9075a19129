//! What the report's charts and tables read from a simulation, in one place: the only module of
//! `steg report` that knows the simulator's report type. When the simulator's report changes
//! (replications with confidence intervals, counts of stuck and waiting cases), only
//! [`Figures::from_report`] changes; [`Estimate::ci`] is where a confidence interval goes.

use steg_engine as engine;

/// A simulated figure, with its 95 % confidence interval when the simulation gives one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The value (a mean over replications, or the one run's figure).
    pub value: f64,
    /// Low and high end of the 95 % confidence interval.
    pub ci: Option<(f64, f64)>,
}

impl Estimate {
    /// A figure of a single run (no interval).
    pub fn one(value: f64) -> Estimate {
        Estimate { value, ci: None }
    }
}

/// A lead time: its distribution in whole days.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadTime {
    /// Cases measured.
    pub count: u64,
    /// Median, 90th percentile (days) and mean.
    pub median: Option<u64>,
    /// 90th percentile in days.
    pub p90: Option<u64>,
    /// Mean in days.
    pub mean: Option<f64>,
    /// Cases by days (index = days; the last holds that many or more).
    pub days: Vec<u64>,
}

impl LeadTime {
    /// Share of the measured cases done within `d` days.
    pub fn within(&self, d: usize) -> Option<f64> {
        (self.count > 0)
            .then(|| self.days.iter().take(d + 1).sum::<u64>() as f64 / self.count as f64)
    }
}

/// One calendar month.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Cases that arrived.
    pub arrived: u64,
    /// Cases that closed.
    pub closed: u64,
    /// Open (and followed) at the month's end.
    pub open: u64,
    /// Per obligation (in [`Figures::obligations`] order): broken, applied, among cases that
    /// arrived in the month.
    pub obligations: Vec<(u64, u64)>,
}

/// Staff, queue and utilisation of a role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleFig {
    /// Role id.
    pub id: String,
    /// Staff.
    pub staff: f64,
    /// Share of available hours worked.
    pub utilisation: Option<f64>,
    /// Mean queue on weekdays.
    pub mean_queue: Option<f64>,
    /// Longest queue.
    pub max_queue: u64,
    /// Median and 90th percentile of the wait in days.
    pub wait: (Option<u64>, Option<u64>),
}

/// An obligation as the simulation measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObligationFig {
    /// Its id.
    pub id: String,
    /// Cases that broke it, of the cases it applied to.
    pub broken: u64,
    /// Cases it applied to.
    pub of: u64,
    /// broken / of.
    pub share: Option<Estimate>,
}

/// Everything the report shows of one simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Cases simulated.
    pub cases: u64,
    /// The seed.
    pub seed: u64,
    /// Months each case was followed.
    pub months: u32,
    /// `--set` in force.
    pub overrides: Vec<String>,
    /// First and last arrival (ISO dates).
    pub arrivals: (Option<String>, Option<String>),
    /// Application to decision.
    pub beslut: LeadTime,
    /// Application to the first insats.
    pub insats: LeadTime,
    /// Plan within 90 days: (count, of).
    pub plan_90: (u64, u64),
    /// Returns to the referrer.
    pub aterremitteringar: u64,
    /// Referrals of cases referred before.
    pub ateranvisningar: u64,
    /// Events raised by steps of the cases that no step took (G022), summed over events.
    pub lost_events: u64,
    /// Calendar months from the first arrival.
    pub by_month: Vec<Month>,
    /// Roles.
    pub roles: Vec<RoleFig>,
    /// Obligations.
    pub obligations: Vec<ObligationFig>,
    /// Closed cases by outcome.
    pub outcomes: Vec<(String, u64)>,
    /// Cases still open at the end of their follow-up.
    pub open_at_end: u64,
    /// Cases stuck (no way on).
    pub stuck: u64,
    /// Failed rule evaluations.
    pub rule_errors: u64,
}

impl Figures {
    /// Read what the report needs from a simulation's report.
    pub fn from_report(r: &engine::SimReport) -> Figures {
        let lead = |d: &engine::Dist, days: &[u64]| LeadTime {
            count: d.count,
            median: d.median,
            p90: d.p90,
            mean: d.mean,
            days: days.to_vec(),
        };
        let ids = &r.series.obligation_ids;
        let by_month = r
            .series
            .months
            .iter()
            .map(|m| Month {
                year: m.year,
                month: m.month,
                arrived: m.arrived,
                closed: m.closed,
                open: m.open_at_end,
                // In the order of r.obligations, matched by id.
                obligations: r
                    .obligations
                    .iter()
                    .map(|o| {
                        ids.iter()
                            .position(|id| *id == o.id)
                            .and_then(|i| m.obligations.get(i).copied())
                            .unwrap_or((0, 0))
                    })
                    .collect(),
            })
            .collect();
        Figures {
            cases: r.cases,
            seed: r.seed,
            months: r.months,
            overrides: r.overrides.clone(),
            arrivals: (
                r.arrivals.0.map(|d| d.to_string()),
                r.arrivals.1.map(|d| d.to_string()),
            ),
            beslut: lead(&r.ansokan_till_beslut, &r.series.ansokan_till_beslut),
            insats: lead(&r.ansokan_till_insats, &r.series.ansokan_till_insats),
            plan_90: (r.plan_inom_90_dagar.count, r.plan_inom_90_dagar.of),
            aterremitteringar: r.aterremitteringar,
            ateranvisningar: r.ateranvisningar,
            lost_events: r.lost_events.values().sum(),
            by_month,
            roles: r
                .roles
                .iter()
                .map(|x| RoleFig {
                    id: x.role.clone(),
                    staff: x.staff,
                    utilisation: x.utilisation,
                    mean_queue: x.mean_queue,
                    max_queue: x.max_queue,
                    wait: (x.wait_days.median, x.wait_days.p90),
                })
                .collect(),
            obligations: r
                .obligations
                .iter()
                .map(|o| ObligationFig {
                    id: o.id.clone(),
                    broken: o.broken,
                    of: o.of,
                    share: o.share.map(Estimate::one),
                })
                .collect(),
            outcomes: r.outcomes.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            open_at_end: r.open,
            stuck: r.stuck_cases(),
            rule_errors: r.rule_errors,
        }
    }

    /// The months of the steady state: from the end of the first follow-up period to the last
    /// month with arrivals (before it the model fills up; after it no cases arrive).
    pub fn steady(&self) -> std::ops::Range<usize> {
        let last_arrival = self
            .by_month
            .iter()
            .rposition(|m| m.arrived > 0)
            .map_or(0, |i| i + 1);
        let start = (self.months as usize).min(last_arrival);
        if last_arrival > start {
            start..last_arrival
        } else {
            0..last_arrival
        }
    }

    /// Mean open cases at month ends over the steady state.
    pub fn steady_open(&self) -> Option<Estimate> {
        let r = self.steady();
        let months = &self.by_month[r];
        (!months.is_empty()).then(|| {
            Estimate::one(months.iter().map(|m| m.open as f64).sum::<f64>() / months.len() as f64)
        })
    }

    /// Years between the first and last arrival (at least one month).
    pub fn arrival_years(&self) -> f64 {
        let months = self
            .by_month
            .iter()
            .filter(|m| m.arrived > 0)
            .count()
            .max(1);
        months as f64 / 12.0
    }
}
