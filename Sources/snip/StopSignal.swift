import Dispatch
import Foundation

/// SIGUSR1 as a request to stop after the current step and save a checkpoint. `mpirun`
/// forwards it to every process (Ctrl-C ends an MPI job at once), and SLURM sends it before a
/// time limit with `sbatch --signal=B:USR1@120` or `scancel --signal=USR1`.
final class StopSignal: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private let lock = NSLock()
    private var received = false

    init(note: @escaping @Sendable (String) -> Void) {
        signal(SIGUSR1, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            lock.withLock { received = true }
            note("\nSIGUSR1: stopping after this step…")
        }
        source.resume()
    }

    var isSet: Bool { lock.withLock { received } }

    deinit {
        source.cancel()
        signal(SIGUSR1, SIG_DFL)
    }
}
