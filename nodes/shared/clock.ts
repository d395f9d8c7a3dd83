/**
 * The package's clock for durations: deadlines, waits, pacing slots, TTLs of in-process stores.
 *
 * `performance.now()` is monotonic: it never steps back or jumps when the machine's wall clock is
 * corrected (NTP, a VM resumed, daylight saving set by hand), so a wall clock set back an hour
 * cannot make a wait last an hour, and one set forward cannot expire what a store remembers.
 * `Date.now()` stays for what is a point in time outside the process: timestamps of messages,
 * signature windows, HTTP dates.
 */
export function monotonicNow(): number {
	return performance.now();
}
