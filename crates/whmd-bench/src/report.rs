//! The results as a Markdown document: the machine, the baseline, then one table of requests
//! and one of memory and seeding.

use crate::load::Measured;
use crate::scenarios::{PAGE, PAGE_ALONE};
use std::fmt::Write as _;
use std::time::Duration;

/// One measured request kind at one store size over one transport.
#[derive(Debug, Clone)]
pub struct Row {
    pub accounts: u32,
    pub transport: &'static str,
    pub request: &'static str,
    pub concurrency: usize,
    pub measured: Measured,
}

/// One store size's seeding time and whmd's memory.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub accounts: u32,
    pub seed: Duration,
    pub rss_seeded_kib: u64,
    pub rss_peak_before_full_list_kib: u64,
    pub rss_peak_kib: u64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub header: Vec<String>,
    /// The baseline, measured at each store size just before whmd.
    pub baseline: Vec<Row>,
    pub rows: Vec<Row>,
    pub sizes: Vec<Size>,
}

impl Report {
    fn baseline_for(&self, accounts: u32, transport: &str) -> Option<f64> {
        self.baseline_row(accounts, transport)
            .map(Measured::per_second)
    }

    fn baseline_row(&self, accounts: u32, transport: &str) -> Option<&Measured> {
        self.baseline
            .iter()
            .find(|r| r.accounts == accounts && r.transport == transport)
            .map(|r| &r.measured)
    }

    fn row(&self, accounts: u32, transport: &str, request: &str) -> Option<&Measured> {
        self.rows
            .iter()
            .find(|r| r.accounts == accounts && r.transport == transport && r.request == request)
            .map(|r| &r.measured)
    }

    /// The targets (bench/README.md) against what was measured, where this run measured it.
    fn targets(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let largest = self.sizes.iter().map(|s| s.accounts).max();
        let smallest = self.sizes.iter().map(|s| s.accounts).min();
        for transport in ["http", "https"] {
            let ratios: Vec<String> = self
                .sizes
                .iter()
                .filter_map(|s| {
                    let m = self.row(s.accounts, transport, "version")?;
                    let b = self.baseline_for(s.accounts, transport)?;
                    Some(format!("{:.0}%", 100.0 * m.per_second() / b))
                })
                .collect();
            if !ratios.is_empty() {
                lines.push(format!(
                    "`version` at >= 70% of the baseline ({transport}): {} at {} accounts",
                    ratios.join(", "),
                    self.size_list()
                ));
            }
            // The same rounds' CPU time per request of each server: steadier than the rate
            // on a machine shared with other work.
            let cpu: Vec<String> = self
                .sizes
                .iter()
                .filter_map(|s| {
                    let m = self
                        .row(s.accounts, transport, "version")?
                        .cpu_per_request()?;
                    let b = self
                        .baseline_row(s.accounts, transport)?
                        .cpu_per_request()?;
                    Some(format!("{} / {}", micros(m), micros(b)))
                })
                .collect();
            if !cpu.is_empty() {
                lines.push(format!(
                    "`version`'s server CPU a request, whmd / baseline ({transport}): {} at {} accounts",
                    cpu.join(", "),
                    self.size_list()
                ));
            }
        }
        if let Some(n) = largest {
            for (request, what) in [
                (PAGE_ALONE, "alone"),
                (PAGE, "at the full connection count"),
            ] {
                let p50: Vec<String> = ["http", "https"]
                    .iter()
                    .filter_map(|t| Some(format!("{} ms {t}", ms(self.row(n, t, request)?.p50))))
                    .collect();
                if !p50.is_empty() {
                    lines.push(format!(
                        "filtered, sorted, paged `listaccts` at {n} accounts, p50 under 20 ms: {} ({what})",
                        p50.join(", ")
                    ));
                }
            }
        }
        if let (Some(small), Some(large)) = (smallest, largest)
            && small != large
        {
            let shifts: Vec<String> = ["http", "https"]
                .iter()
                .filter_map(|t| {
                    let (a, b) = (
                        self.row(small, t, "accountsummary")?,
                        self.row(large, t, "accountsummary")?,
                    );
                    let share = |m: &Measured, n| {
                        self.baseline_for(n, t).map_or_else(String::new, |b| {
                            format!("{:.1}%", 100.0 * m.per_second() / b)
                        })
                    };
                    Some(format!(
                        "p50 {} -> {} ms, req/s {:+.0}% ({} -> {} of the baseline) {t}",
                        ms(a.p50),
                        ms(b.p50),
                        100.0 * (b.per_second() / a.per_second() - 1.0),
                        share(a, small),
                        share(b, large)
                    ))
                })
                .collect();
            if !shifts.is_empty() {
                lines.push(format!(
                    "`accountsummary` the same within 20% at {small} and {large} accounts: {}",
                    shifts.join("; ")
                ));
            }
        }
        let best = self
            .rows
            .iter()
            .filter(|r| r.request == "createacct")
            .map(|r| r.measured.per_second())
            .fold(None, |best: Option<f64>, x| {
                Some(best.map_or(x, |b| b.max(x)))
            });
        if let Some(best) = best {
            lines.push(format!(
                "`createacct` at >= 1,000 durable creates/s on SQLite: at best {best:.0}/s"
            ));
        }
        if let Some(size) = self.sizes.iter().max_by_key(|s| s.accounts) {
            lines.push(format!(
                "whmd's RSS under 150 MB with {} accounts: {:.0} MiB after start, {:.0} MiB peak before `listaccts (all)`, {:.0} MiB peak with it",
                size.accounts,
                mib(size.rss_seeded_kib),
                mib(size.rss_peak_before_full_list_kib),
                mib(size.rss_peak_kib)
            ));
        }
        lines
    }

    fn size_list(&self) -> String {
        let sizes: Vec<String> = self.sizes.iter().map(|s| s.accounts.to_string()).collect();
        sizes.join("/")
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from("# whmd benchmark results\n\n");
        for line in &self.header {
            let _ = writeln!(out, "- {line}");
        }
        out.push_str("\n## Targets\n\nMeasured in this run; bench/README.md says how each is judged and what limits the ones not met.\n\n");
        for line in self.targets() {
            let _ = writeln!(out, "- {line}");
        }
        out.push_str("\n## Baseline (fixed JSON body, same listeners), measured before whmd at each size\n\n");
        out.push_str(
            "| before | transport | conns | req/s | p50 ms | p99 ms |\n| ---: | --- | ---: | ---: | ---: | ---: |\n",
        );
        for row in &self.baseline {
            let m = &row.measured;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                row.accounts,
                row.transport,
                row.concurrency,
                rate(m.per_second()),
                ms(m.p50),
                ms(m.p99)
            );
        }
        out.push_str("\n## whmd\n\n");
        out.push_str(
            "| accounts | transport | request | conns | req/s | of baseline | p50 ms | p99 ms |\n\
             | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for row in &self.rows {
            let m = &row.measured;
            let ratio = self.baseline_for(row.accounts, row.transport).map_or_else(
                || "-".to_owned(),
                |b| format!("{:.1}%", 100.0 * m.per_second() / b),
            );
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {ratio} | {} | {} |",
                row.accounts,
                row.transport,
                row.request,
                row.concurrency,
                rate(m.per_second()),
                ms(m.p50),
                ms(m.p99)
            );
        }
        out.push_str("\n## Seeding and memory\n\n");
        out.push_str(
            "| accounts | seed time s | whmd RSS after start MiB | peak RSS before listaccts (all) MiB | peak RSS MiB |\n\
             | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for s in &self.sizes {
            let _ = writeln!(
                out,
                "| {} | {:.2} | {:.1} | {:.1} | {:.1} |",
                s.accounts,
                s.seed.as_secs_f64(),
                mib(s.rss_seeded_kib),
                mib(s.rss_peak_before_full_list_kib),
                mib(s.rss_peak_kib)
            );
        }
        out
    }
}

fn rate(per_second: f64) -> String {
    if per_second < 10.0 {
        format!("{per_second:.1}")
    } else {
        format!("{per_second:.0}")
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

/// A short time in microseconds, with its unit.
fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}
