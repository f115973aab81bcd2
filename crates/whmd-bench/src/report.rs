//! The results as a Markdown document: the machine, the baseline, then one table of requests
//! and one of memory and seeding.

use crate::load::Measured;
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
    /// The baseline's throughput per transport.
    pub baseline: Vec<(&'static str, usize, Measured)>,
    pub rows: Vec<Row>,
    pub sizes: Vec<Size>,
}

impl Report {
    fn baseline_for(&self, transport: &str) -> Option<f64> {
        self.baseline
            .iter()
            .find(|(t, _, _)| *t == transport)
            .map(|(_, _, m)| m.per_second())
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from("# whmd benchmark results\n\n");
        for line in &self.header {
            let _ = writeln!(out, "- {line}");
        }
        out.push_str("\n## Baseline (fixed JSON body, same listeners)\n\n");
        out.push_str("| transport | conns | req/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (transport, conns, m) in &self.baseline {
            let _ = writeln!(
                out,
                "| {transport} | {conns} | {:.0} | {} | {} |",
                m.per_second(),
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
            let ratio = self.baseline_for(row.transport).map_or_else(
                || "-".to_owned(),
                |b| format!("{:.1}%", 100.0 * m.per_second() / b),
            );
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.0} | {ratio} | {} | {} |",
                row.accounts,
                row.transport,
                row.request,
                row.concurrency,
                m.per_second(),
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
                s.rss_seeded_kib as f64 / 1024.0,
                s.rss_peak_before_full_list_kib as f64 / 1024.0,
                s.rss_peak_kib as f64 / 1024.0
            );
        }
        out
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}
