#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deep input must never crash snip: programs run on a thread with a large stack (1 GiB of
/// address space, touched only as far as it is used), and the evaluator checks the room left
/// on the stack (`LargeStack.floor`) before each nested step, so that even deeper input ends in
/// a positioned "nested too deeply" error instead of a signal.
public enum LargeStack {
    /// The stack size of the threads `run` starts.
    public static let size = 1 << 30

    /// The lowest stack address the evaluator may reach on the calling thread: a reserve is kept
    /// for the built-ins and the libraries they call. Zero (no check) on threads `run` did not
    /// start.
    static var floor: UInt {
        UInt(bitPattern: pthread_getspecific(floorKey))
    }

    /// Whether the calling thread was started by `run`.
    public static var isCurrent: Bool { floor != 0 }

    /// The thread-specific key holding `floor`.
    private static let floorKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` on a thread with a `size` stack and returns its result (on the calling thread
    /// when it is already such a thread, or when no such thread can be started).
    public static func run<T>(_ body: () -> T) -> T {
        if isCurrent { return body() }
        return withoutActuallyEscaping(body) { body -> T in
            var result: T?
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            var thread = pthread_t()
            for size in [size, size / 4, size / 16] {
                pthread_attr_setstacksize(&attributes, size)
                let job = Job(stackSize: size) { result = body() }
                let unmanaged = Unmanaged.passRetained(job)
                let status = pthread_create(&thread, &attributes, { raw in
                    let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                    // The stack grows down from about here; keep 1/16 (16 MiB at most) in reserve.
                    let top = currentStackAddress()
                    let reserve = UInt(min(job.stackSize / 16, 16 << 20))
                    pthread_setspecific(LargeStack.floorKey, UnsafeRawPointer(bitPattern: top - UInt(job.stackSize) + reserve))
                    job.body()
                    return nil
                }, unmanaged.toOpaque())
                if status == 0 {
                    pthread_join(thread, nil)
                    return result!
                }
                unmanaged.release()
            }
            return body()
        }
    }

    private final class Job {
        let stackSize: Int
        let body: () -> Void
        init(stackSize: Int, _ body: @escaping () -> Void) {
            self.stackSize = stackSize
            self.body = body
        }
    }
}

/// The current stack address (approximately: the address of a local).
@inline(__always)
func currentStackAddress() -> UInt {
    var marker: UInt8 = 0
    return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
}
