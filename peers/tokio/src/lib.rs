//! What every Tokio peer shares with the lab's C programs: the flags
//! (bench/cli.h conventions), the one CSV schema (bench/measure.h), the
//! watchdog and CPU pinning. Kept to the standard library.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{exit, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The flags a peer may take; `Prog::accepts` says which ones a program does.
pub struct Opts {
    pub csv: bool,
    pub n: u64,
    pub iters: u64,
    pub unit_ms: u64,
    pub units: u64,
    pub timeout: u64,
    /// `--cpus` as given ("0", "0,1"); None when not pinned.
    pub cpus: Option<String>,
    /// The value of --mode, --fix or --variant; None: the program's default.
    pub mode: Option<String>,
    /// hello --await: await the task before main's own sleep.
    pub wait: bool,
}

/// A peer program: its name, usage text and the flags it takes.
pub struct Prog {
    pub name: &'static str,
    pub usage: &'static str,
    /// Flags beyond --help, --csv and --timeout: "--n", "--iters", "--await", ...
    pub accepts: &'static [&'static str],
    /// Choices of the one choice flag (--mode, --fix or --variant).
    pub modes: &'static [&'static str],
}

impl Prog {
    /// Prints "prog: message" on stderr and exits 2 (bad usage).
    pub fn usage_error(&self, msg: &str) -> ! {
        eprintln!("{}: {}", self.name, msg);
        exit(2)
    }

    /// Prints "prog: message" on stderr and exits 1 (failure at run time).
    pub fn fail(&self, msg: &str) -> ! {
        eprintln!("{}: {}", self.name, msg);
        exit(1)
    }

    fn number(&self, flag: &str, val: Option<&String>) -> u64 {
        let v = val.unwrap_or_else(|| self.usage_error(&format!("{flag}: needs a value")));
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            self.usage_error(&format!("{flag}: expected a whole number, got '{v}'"));
        }
        match v.parse::<u64>() {
            Ok(x) if x >= 1 || flag == "--timeout" => x,
            _ => self.usage_error(&format!("{flag}: {v} is out of range")),
        }
    }

    /// Parses argv with the defaults in `d`; --help prints the usage and
    /// exits 0; anything else unknown exits 2 naming it. Then arms the
    /// watchdog and, with --cpus, re-executes the program under taskset so
    /// every thread the runtime starts is pinned too.
    pub fn parse(&self, mut d: Opts) -> Opts {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let v = args.get(i + 1);
            i += 1;
            match a {
                "--help" => {
                    print!("{}", self.usage);
                    exit(0)
                }
                "--csv" => d.csv = true,
                "--timeout" => {
                    d.timeout = self.number(a, v);
                    i += 1
                }
                _ if !self.accepts.contains(&a) => {
                    self.usage_error(&format!("unknown argument '{a}' (try --help)"))
                }
                "--cpus" => {
                    let s = v.unwrap_or_else(|| self.usage_error("--cpus: needs a value"));
                    if s.is_empty() || s.split(',').any(|c| c.parse::<u32>().is_err()) {
                        self.usage_error(&format!("--cpus: expected CPU numbers like 0 or 0,1, got '{s}'"));
                    }
                    d.cpus = Some(s.clone());
                    i += 1
                }
                "--await" => d.wait = true,
                "--mode" | "--fix" | "--variant" => {
                    let s = v.unwrap_or_else(|| self.usage_error(&format!("{a}: needs a value")));
                    if !self.modes.contains(&s.as_str()) {
                        self.usage_error(&format!("{a}: '{s}' is not one of {}", self.modes.join("|")));
                    }
                    d.mode = Some(s.clone());
                    i += 1
                }
                "--n" | "--iters" | "--unit-ms" | "--units" => {
                    let x = self.number(a, v);
                    match a {
                        "--n" => d.n = x,
                        "--iters" => d.iters = x,
                        "--unit-ms" => d.unit_ms = x,
                        _ => d.units = x,
                    }
                    i += 1
                }
                _ => self.usage_error(&format!("unknown argument '{a}' (try --help)")),
            }
        }
        CSV.store(d.csv, Ordering::Relaxed);
        if let Some(c) = &d.cpus {
            pin(self, c);
        }
        watchdog(self.name, d.timeout);
        d
    }
}

/// Runs this program again under `taskset -c cpus` (once: the child finds
/// YL_PEER_PINNED set to the same list and goes on).
fn pin(p: &Prog, cpus: &str) {
    if std::env::var("YL_PEER_PINNED").as_deref() == Ok(cpus) {
        std::env::remove_var("YL_PEER_PINNED");
        return;
    }
    let me = std::env::current_exe().unwrap_or_else(|e| p.fail(&format!("current_exe: {e}")));
    let err = Command::new("taskset")
        .arg("-c")
        .arg(cpus)
        .arg(me)
        .args(std::env::args_os().skip(1))
        .env("YL_PEER_PINNED", cpus)
        .exec();
    p.fail(&format!("--cpus {cpus}: cannot run taskset: {err}"))
}

/// After `sec` seconds (0: never) prints "prog: timed out after S s" and
/// exits 124, as the C programs' cli_timeout does.
fn watchdog(name: &'static str, sec: u64) {
    if sec == 0 {
        return;
    }
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(sec));
        eprintln!("{name}: timed out after {sec} s");
        exit(124)
    });
}

/// Writes one line to stdout at once and flushes it, so the order of lines
/// is the order of the calls.
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(format!("{line}\n").as_bytes());
    let _ = out.flush();
}

static CSV: AtomicBool = AtomicBool::new(false);

/// Writes a line of the program's own story (foo's lines, Hello): on
/// stdout, or on stderr with --csv, where stdout carries only rows.
pub fn story(line: &str) {
    if CSV.load(Ordering::Relaxed) {
        eprintln!("{line}");
    } else {
        say(line);
    }
}

/// Formats a value as bench/csv.c does, but never with an exponent:
/// integral values without a fraction, others with up to 10 significant
/// digits.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_finite() && v.abs() < 1e15 && v == v.trunc() {
        return format!("{}", v as i64);
    }
    let digits = if v == 0.0 { 0 } else { v.abs().log10().floor() as i32 };
    let prec = (9 - digits).max(0) as usize;
    let s = format!("{v:.prec$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The columns before n, as struct csv_key in bench/measure.h.
pub struct Key {
    pub experiment: &'static str,
    pub model: &'static str,
    pub variant: String,
    /// "0", "0+1" or "-" (the C programs' cpus_format).
    pub cpus: String,
}

impl Key {
    pub fn new(experiment: &'static str, variant: &str, cpus: &Option<String>) -> Key {
        Key {
            experiment,
            model: "tokio",
            variant: variant.to_string(),
            cpus: cpus.as_deref().map_or("-".to_string(), |c| c.replace(',', "+")),
        }
    }
}

/// Where rows go: CSV on stdout (header once) and the human line on stderr
/// with --csv; only the human line, on stdout, without.
pub struct Rows {
    csv: bool,
    header_done: bool,
}

impl Rows {
    pub fn new(csv: bool) -> Rows {
        Rows { csv, header_done: false }
    }

    /// Emits one measurement.
    pub fn row(&mut self, k: &Key, n: u64, metric: &str, value: f64, unit: &str) {
        let v = format_value(value);
        let human = format!("{} {}/{} cpus={} n={}: {} = {} {}", k.experiment, k.model,
                            k.variant, k.cpus, n, metric, v, unit);
        if self.csv {
            if !self.header_done {
                say("experiment,model,variant,cpus,n,metric,value,unit");
                self.header_done = true;
            }
            say(&format!("{},{},{},{},{},{},{},{}", k.experiment, k.model, k.variant,
                         k.cpus, n, metric, v, unit));
            eprintln!("{human}");
        } else {
            say(&human);
        }
    }
}

/// The defaults most peers start from.
pub fn defaults() -> Opts {
    Opts { csv: false, n: 1000, iters: 100_000, unit_ms: 1, units: 8, timeout: 60, cpus: None, mode: None, wait: false }
}

/// A current-thread runtime with timers: one worker, the lab's "single".
pub fn current_thread(p: &Prog) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| p.fail(&format!("cannot start the runtime: {e}")))
}
