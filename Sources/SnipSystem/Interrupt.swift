import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's one answer to SIGINT, SIGTERM, SIGHUP and SIGUSR1: a single signal handler
/// that sets one flag, which loops, built-ins and training steps poll.
///
/// What a signal does depends on the mode the program installs:
/// - ``Mode/cancel`` (the REPL, `snip run`, notebooks): Ctrl-C sets the flag; the running
///   statement stops with "interrupted" and the REPL returns to its prompt. SIGTERM and SIGHUP
///   keep their default (they end the process).
/// - ``Mode/stopAndSave`` (training and long commands): the first Ctrl-C, SIGTERM or SIGHUP
///   sets the flag and says so, so the work stops after the current step and saves; a second
///   one ends the process at once (status 128 + the signal). SIGUSR1 (`mpirun` forwards it,
///   SLURM sends it before a time limit) sets the flag without arming the second-signal exit.
/// - no mode: the signals keep their defaults, except that while an output file is being
///   written (``removeOnSignal(_:)``) SIGINT and SIGTERM delete it before the process ends.
///
/// In every mode a half-written output file registered with ``removeOnSignal(_:)`` is deleted
/// when a signal ends the process. The handler does only what a signal handler may: it sets
/// `sig_atomic_t` flags, writes prepared bytes, unlinks one prepared path and exits.
public enum Interrupt {
    /// How stop requests are answered.
    public enum Mode: Sendable {
        /// Ctrl-C cancels the running statement (no `SA_RESTART`, so a blocking read at the
        /// prompt returns and the line reader sees it).
        case cancel
        /// Ctrl-C, SIGTERM and SIGHUP stop after the current step (a second one quits);
        /// SIGUSR1 stops too. `announce` prints what happens on standard error (off on the
        /// ranks of a multi-process job other than the first), with `action` saying what
        /// stopping means for this command.
        case stopAndSave(announce: Bool, action: String = "stopping after this step and saving")
    }

    /// Set by any stop request; cleared by ``clear()``.
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    /// Set by a request that arms the second-signal exit (Ctrl-C, SIGTERM, SIGHUP). Atomic:
    /// two signals sent together can be handled at the same time on two threads, and exactly
    /// one of them must find it set.
    static let armed = Atomic<Int32>(0)
    /// 0 none, 1 cancel, 2 stop and save.
    nonisolated(unsafe) static var mode: sig_atomic_t = 0
    /// Whether messages are written.
    nonisolated(unsafe) static var announces: sig_atomic_t = 0
    /// The output file that a signal ending the process deletes (a C string), or nil.
    nonisolated(unsafe) static var pendingPath: UnsafeMutablePointer<CChar>?
    /// Prepared messages by signal number: what the first and the second request say.
    nonisolated(unsafe) static var firstMessages:
        UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    nonisolated(unsafe) static var againMessages:
        UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    /// The signals that ask a long command to stop and save.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Whether a stop was requested since the last ``clear()``.
    public static var isPending: Bool { flag != 0 }

    /// Forgets earlier requests (the REPL after each statement).
    public static func clear() {
        flag = 0
        armed.store(0, ordering: .sequentiallyConsistent)
    }

    /// Marks a request, as the signal handler does (also used by tests).
    public static func request() { flag = 1 }

    /// Installs the handler for `mode` (replacing an earlier mode) and forgets earlier requests.
    public static func install(_ mode: Mode) {
        if case .stopAndSave(_, let action) = mode {
            prepareMessages(action: action)
        } else {
            prepareMessages(action: nil)
        }
        clear()
        switch mode {
        case .cancel:
            self.mode = 1
            announces = 0
            handle([SIGINT], restart: false)
        case .stopAndSave(let announce, _):
            self.mode = 2
            announces = announce ? 1 : 0
            handle(stopSignals + [SIGUSR1], restart: true)
        }
    }

    /// Gives the signals back their defaults (a pending output file stays protected) and
    /// forgets earlier requests.
    public static func uninstall() {
        mode = 0
        for number in stopSignals + [SIGUSR1] { signal(number, SIG_DFL) }
        if pendingPath != nil { handle([SIGINT, SIGTERM], restart: true) }
        clear()
    }

    /// Registers the temporary file that a signal ending the process must delete (nil: none).
    /// Without a mode installed, SIGINT and SIGTERM then delete it and end the process.
    public static func removeOnSignal(_ path: String?) {
        let old = pendingPath
        pendingPath = path.map { strdup($0) }
        free(old)
        if path != nil && mode == 0 { handle([SIGINT, SIGTERM], restart: true) }
        if path == nil && mode == 0 { for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) } }
    }

    private static func handle(_ numbers: [Int32], restart: Bool) {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { Interrupt.received($0) }
        #else
        action.__sigaction_u.__sa_handler = { Interrupt.received($0) }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = restart ? Int32(SA_RESTART) : 0
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in numbers {
            sigaction(number, &action, nil)
            sigaddset(&unblock, number)
        }
        // a parent (a test runner, a supervisor) may have started us with the signals blocked
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signal handler.
    private static func received(_ number: Int32) {
        switch mode {
        case 1:
            flag = 1
        case 2:
            if number != SIGUSR1 && armed.exchange(1, ordering: .sequentiallyConsistent) != 0 {
                say(againMessages, number)
                end(number, status: 128 + number)
            }
            flag = 1
            say(firstMessages, number)
        default:
            end(number, status: nil)
        }
    }

    /// Deletes the pending output file and ends the process: with `status`, or by the signal.
    private static func end(_ number: Int32, status: Int32?) {
        if let path = pendingPath { unlink(path) }
        if let status { _exit(status) }
        signal(number, SIG_DFL)
        raise(number)
    }

    private static func say(
        _ table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ number: Int32
    ) {
        guard announces != 0, let table, number >= 0, number < 64, let text = table[Int(number)]
        else { return }
        _ = write(2, text, strlen(text))
    }

    /// The action the prepared messages announce.
    nonisolated(unsafe) private static var preparedAction: String?

    /// Builds the messages outside any handler (again when the action changes; tables already
    /// handed to the handler are never freed, so a signal arriving meanwhile reads valid text).
    private static func prepareMessages(action: String?) {
        let action = action ?? preparedAction ?? "stopping after this step and saving"
        guard firstMessages == nil || action != preparedAction else { return }
        preparedAction = action
        let first = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 64)
        let again = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 64)
        first.initialize(repeating: nil, count: 64)
        again.initialize(repeating: nil, count: 64)
        for number in stopSignals {
            let name = number == SIGINT ? "Ctrl-C" : number == SIGTERM ? "SIGTERM" : "SIGHUP"
            first[Int(number)] = strdup(
                "\n\(name): \(action) (Ctrl-C again to quit now)…\n")
            again[Int(number)] = strdup("\n\(name) again: exiting without saving\n")
        }
        first[Int(SIGUSR1)] = strdup("\nSIGUSR1: stopping after this step…\n")
        firstMessages = first
        againMessages = again
    }
}
