//! Durations as admins type them (`30s`, `5m`, `1h30m`, `0`) and as vaultdesk writes them back,
//! so the window, the CLI and the README agree.

/// Parses `0`, `90` (seconds), `30s`, `5m`, `1h`, `2d`, and combinations like `1h30m`: each
/// unit at most once, largest first (`1h1h` and `30s5m` are refused, not added up).
pub fn parse(raw: &str) -> Result<u64, String> {
    let s = raw.trim().to_ascii_lowercase();
    let accepted = "use a duration like 30s, 5m, 1h or 1h30m (0 disables caching)";
    if s.is_empty() {
        return Err(format!("is empty: {accepted}"));
    }
    if let Ok(n) = s.parse::<u64>() {
        return Ok(n);
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut seen_unit = false;
    // The last unit taken: the next one must be smaller.
    let mut previous = u64::MAX;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(format!("\"{}\" is not a duration: {accepted}", raw.trim())),
        };
        if unit >= previous {
            return Err(format!(
                "\"{}\" is not a duration: write each unit once, largest first (e.g. 1h30m)",
                raw.trim()
            ));
        }
        previous = unit;
        let n: u64 = num.parse().map_err(|_| format!("\"{}\" is not a duration: {accepted}", raw.trim()))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("\"{}\" is too long", raw.trim()))?;
        num.clear();
        seen_unit = true;
    }
    if !num.is_empty() || !seen_unit {
        return Err(format!("\"{}\" is not a duration: {accepted}", raw.trim()));
    }
    Ok(total)
}

/// `300` -> `5m`, `5400` -> `1h30m`, `0` -> `0`.
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, label) in [(86400, 'd'), (3600, 'h'), (60, 'm'), (1, 's')] {
        if rest >= unit {
            out.push_str(&format!("{}{label}", rest / unit));
            rest %= unit;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{format_duration, parse};

    #[test]
    fn durations_are_written_back_as_they_are_typed() {
        assert_eq!(format_duration(300), "5m");
        assert_eq!(format_duration(5430), "1h30m30s");
        assert_eq!(format_duration(0), "0");
        for s in ["5m", "1h30m30s", "2d", "45s"] {
            assert_eq!(parse(s).map(format_duration).as_deref(), Ok(s), "{s}");
        }
    }

    #[test]
    fn each_unit_counts_once_largest_first() {
        assert_eq!(parse("1d2h3m4s"), Ok(93784));
        for bad in ["1h1h", "30s5m", "5m1h", "1m1m30s", "2s3s"] {
            let e = parse(bad).expect_err(bad);
            assert!(e.contains("each unit once, largest first"), "{bad}: {e}");
        }
    }
}
