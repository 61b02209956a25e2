import Foundation
import Synchronization

/// Keeps freed large tensor buffers for reuse, so that a training step does not pay the kernel
/// for fresh zero pages on every temporary (a 40 MB attention tensor costs ~10,000 page
/// faults when it comes straight from `mmap`).
///
/// Buffers of at least `minimumBytes` are pooled by size class: eight classes per doubling
/// (a request is rounded up by at most 12.5 %), so that temporaries whose size moves a little
/// from step to step (formulas of other lengths, point sets with a few points fewer) still find
/// one to reuse; with exact sizes (rounded to 4 KiB) a training step at batch 128 took ~80,000
/// fresh pages (320 MB) per step. The pool holds at most `SNIP_CACHE_MB` megabytes (0 turns
/// pooling off) and frees the least recently returned buffers beyond that. Without the variable
/// it holds twice the largest live tensor memory so far, at least 1 GiB and at most half the
/// machine's memory (``TensorMemory/poolLimit(forPeakLiveBytes:physicalMemory:)``): a fixed
/// 1 GiB was less than one training step at batch 1,024 frees, and evicting made every such
/// step fault in ~850,000 fresh pages (3.4 GB) and spend 63 % of its time in the kernel. Once
/// as much as was live did not suffice either (buffers cached in one size class while the next
/// step asks for its neighbour: ~300,000 faults per step); twice as much did, without raising
/// the peak resident set (3.46 → 3.50 GB).
///
/// A large pool costs little at the peak of a training step: the forward pass takes back the
/// buffers the previous backward pass returned, so the pool is nearly empty when the saved
/// activations are largest (paper CLIP step, batch 16: peak RSS 1.91 GB with 256 MB, 1.94 GB
/// with 1 GB and half the page faults; paper inference at batch 64: 721 and 725 MB, and a
/// tenth of the page faults).
enum StoragePool {
    static let minimumBytes = 256 * 1024
    static let granularity = 4096

    /// `SNIP_CACHE_MB` in bytes, when set.
    static let configuredLimitBytes: Int? = {
        if let text = ProcessInfo.processInfo.environment["SNIP_CACHE_MB"], let mb = Int(text), mb >= 0 {
            return mb << 20
        }
        return nil
    }()

    static let physicalMemory = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    /// The most bytes the pool may hold now.
    static var limitBytes: Int {
        configuredLimitBytes
            ?? TensorMemory.poolLimit(forPeakLiveBytes: TensorMemory.highWaterBytes, physicalMemory: physicalMemory)
    }

    /// Makes glibc serve every buffer of `minimumBytes` or more with its own `mmap` and give
    /// it back on `free`; true when glibc took the setting.
    ///
    /// By default glibc raises its mmap threshold each time a mapped block is freed (up to
    /// 32 MB), after which the training step's activations come from its heap, and freed heap
    /// memory stays resident and fragmented: with the pool off, 2.2 GB stayed resident after a
    /// paper-configuration CLIP step that left 0.9 GB of live tensors.
    ///
    /// Fixing the threshold also fixes glibc's trim threshold at its 128 KiB default, so the
    /// heap's top was handed back to the kernel whenever that much lay free there, and the
    /// generator's and look-alike evaluator's arrays (up to 256 KiB) then came back as fresh zero
    /// pages on every batch (~50,000 page faults per training step at batch 128); the heap now
    /// keeps up to 64 MB free at its top.
    static let mallocConfigured: Bool = {
        #if os(Linux)
        return glibcMallopt(glibcMmapThreshold, Int32(minimumBytes)) == 1
            && glibcMallopt(glibcTrimThreshold, 64 << 20) == 1
        #else
        return false
        #endif
    }()

    private struct State: @unchecked Sendable {
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var order: [(bytes: Int, pointer: UnsafeMutableRawPointer)] = []
        var cachedBytes = 0
    }

    private static let state = Mutex(State())

    /// Size classes per doubling of the size.
    static let classesPerOctave = 8

    /// The allocation size used for a request of `bytes`: itself below `minimumBytes`, else the
    /// next multiple of an eighth of the power of two at or below it (and of 4 KiB).
    static func sizeClass(_ bytes: Int) -> Int {
        guard bytes >= minimumBytes else { return bytes }
        let octave = Int.bitWidth - 1 - bytes.leadingZeroBitCount  // 2^octave ≤ bytes
        let step = Swift.max(granularity, (1 << octave) / classesPerOctave)
        return (bytes + step - 1) / step * step
    }

    /// A 64-byte aligned buffer of `sizeClass(bytes)` bytes, reused when one is cached.
    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let size = sizeClass(bytes)
        _ = mallocConfigured
        TensorMemory.didAllocate(size)
        if size >= minimumBytes && configuredLimitBytes != 0 {
            let reused: UnsafeSendable<UnsafeMutableRawPointer?> = state.withLock { s in
                // mutated in place (a copy of the state per call costs more the longer the lists get)
                guard let pointer = s.free[size]?.popLast() else { return UnsafeSendable(nil) }
                if s.free[size]?.isEmpty == true { s.free[size] = nil }
                s.cachedBytes -= size
                if let i = s.order.lastIndex(where: { $0.pointer == pointer }) { s.order.remove(at: i) }
                return UnsafeSendable(pointer)
            }
            if let pointer = reused.value { return pointer }
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, max(size, 64)) == 0, let raw else {
            fatalError("out of memory allocating \(size) bytes for a tensor")
        }
        return raw
    }

    /// Returns a buffer obtained from `allocate(bytes)`.
    static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        let size = sizeClass(bytes)
        TensorMemory.didRelease(size)
        let limitBytes = self.limitBytes
        guard size >= minimumBytes && limitBytes > 0 && size <= limitBytes else {
            free(pointer)
            return
        }
        let evicted: UnsafeSendable<[UnsafeMutableRawPointer]> = state.withLock { s in
            s.free[size, default: []].append(pointer)
            s.order.append((size, pointer))
            s.cachedBytes += size
            var evicted: [UnsafeMutableRawPointer] = []
            var dropCount = 0
            while s.cachedBytes > limitBytes, dropCount < s.order.count {
                let (oldSize, oldPointer) = s.order[dropCount]
                dropCount += 1
                if let i = s.free[oldSize]?.firstIndex(of: oldPointer) {
                    s.free[oldSize]?.remove(at: i)
                    if s.free[oldSize]?.isEmpty == true { s.free[oldSize] = nil }
                    s.cachedBytes -= oldSize
                    evicted.append(oldPointer)
                }
            }
            s.order.removeFirst(dropCount)
            return UnsafeSendable(evicted)
        }
        for p in evicted.value { free(p) }
    }
}

#if os(Linux)
/// glibc's `mallopt` (`<malloc.h>` is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
/// `M_MMAP_THRESHOLD` from `<malloc.h>`.
private let glibcMmapThreshold: Int32 = -3
/// `M_TRIM_THRESHOLD` from `<malloc.h>`.
private let glibcTrimThreshold: Int32 = -1
#endif

/// Bytes held by live tensor storages (the pool's cached buffers not counted), for tests and
/// benchmarks that look at memory.
public enum TensorMemory {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)
    private static let highWater = Atomic<Int>(0)

    /// Bytes of tensor storage allocated and not yet freed.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// The largest `liveBytes` since the start or the last `resetPeak()`.
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// Whether buffers of 256 KiB or more are mapped one by one, so that freeing them (beyond
    /// the pool) returns their memory to the system (Linux with glibc).
    public static var largeBuffersAreMapped: Bool { StoragePool.mallocConfigured }

    /// The bytes a tensor buffer asked for `bytes` takes (what `liveBytes` counts): the request
    /// itself below 256 KiB, else its pool size class, at most 12.5 % larger.
    public static func allocationSize(forBytes bytes: Int) -> Int { StoragePool.sizeClass(bytes) }

    /// The largest `liveBytes` since the start (never reset).
    public static var highWaterBytes: Int { highWater.load(ordering: .relaxed) }

    /// The most bytes of freed buffers the pool keeps when `SNIP_CACHE_MB` is not set: twice as
    /// much as the process has had live (`peak`), so that the next training step finds every
    /// temporary the last one freed even where sizes change class, but at least 1 GiB and at
    /// most half of `physicalMemory`.
    public static func poolLimit(forPeakLiveBytes peak: Int, physicalMemory: Int) -> Int {
        min(max(1 << 30, 2 * peak), max(0, physicalMemory / 2))
    }

    /// Starts a new peak from the current `liveBytes`.
    public static func resetPeak() { peak.store(liveBytes, ordering: .relaxed) }

    static func didAllocate(_ bytes: Int) {
        let now = live.wrappingAdd(bytes, ordering: .relaxed).newValue
        peak.max(now, ordering: .relaxed)
        highWater.max(now, ordering: .relaxed)
    }

    static func didRelease(_ bytes: Int) { live.wrappingSubtract(bytes, ordering: .relaxed) }
}
