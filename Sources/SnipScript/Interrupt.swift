#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C: a SIGINT handler sets a flag; loops, calls and long built-ins check it and stop the
/// running command with an "interrupted" error, and the REPL returns to its prompt.
public enum Interrupt {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    /// Whether Ctrl-C was pressed since the last `clear()`.
    public static var isPending: Bool { flag != 0 }

    /// Forgets an earlier Ctrl-C.
    public static func clear() { flag = 0 }

    /// Marks an interrupt, as the signal handler does (also used by tests).
    public static func request() { flag = 1 }

    /// Installs the SIGINT handler (without SA_RESTART, so a blocking read returns EINTR and the
    /// line reader can notice Ctrl-C at the prompt).
    public static func installHandler() {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag = 1 }
        #else
        action.__sigaction_u.__sa_handler = { _ in Interrupt.flag = 1 }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // a parent (a test runner, a supervisor) may have started us with SIGINT blocked
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
