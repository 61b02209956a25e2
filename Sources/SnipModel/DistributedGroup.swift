import Foundation

/// The processes that train one model together (data parallelism), and the few collective
/// operations training needs. Rank 0 is the one that writes files and prints.
///
/// ``SingleProcess`` is the group of one (every operation is the identity);
/// ``MPIProcessGroup`` runs over MPI. Every process of a group must call the collectives in the
/// same order with the same sizes.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's number, 0..<size.
    var rank: Int { get }
    /// How many processes train together.
    var size: Int { get }
    /// Replaces `values` by their element-wise sum over all processes.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces `values` by their element-wise sum over all processes.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Every process's `local` bytes, in rank order (`counts[r]` bytes from rank r).
    func allGather(_ local: UnsafeRawBufferPointer, counts: [Int], into result: UnsafeMutableRawBufferPointer) throws
    /// Rank `root`'s bytes into every process's `buffer`.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Ends every process of the group with `message` (MPI_Abort); returns only in a group of one.
    func abort(_ message: String, code: Int32)
}

extension ProcessGroup {
    /// Whether this process writes the run's files and prints its status.
    public var isLeader: Bool { rank == 0 }

    /// The contiguous share of `0..<count` that rank `r` takes: ranks take slices in order, and
    /// the first `count % size` ranks one element more.
    public func slice(of count: Int, rank r: Int? = nil) -> Range<Int> {
        let r = r ?? rank
        return (count * r / size)..<(count * (r + 1) / size)
    }

    /// Every rank's slice size of `0..<count`.
    public func sliceCounts(of count: Int) -> [Int] { (0..<size).map { slice(of: count, rank: $0).count } }

    /// Sum over the group of `values`, returned.
    public func allReduceSum(_ values: [Double]) throws -> [Double] {
        var result = values
        try result.withUnsafeMutableBufferPointer { try allReduceSum($0) }
        return result
    }

    /// Every rank's floats, in rank order (`counts[r]` from rank r).
    public func allGather(_ local: [Float], counts: [Int]) throws -> [Float] {
        precondition(counts[rank] == local.count, "rank \(rank) gives \(local.count) floats, not \(counts[rank])")
        var result = [Float](repeating: 0, count: counts.reduce(0, +))
        try local.withUnsafeBytes { source in
            try result.withUnsafeMutableBytes { target in
                try allGather(source, counts: counts.map { $0 * MemoryLayout<Float>.stride }, into: target)
            }
        }
        return result
    }

    /// Every rank's booleans, in rank order (`counts[r]` from rank r).
    public func allGather(_ local: [Bool], counts: [Int]) throws -> [Bool] {
        precondition(counts[rank] == local.count, "rank \(rank) gives \(local.count) flags, not \(counts[rank])")
        var bytes = [UInt8](repeating: 0, count: counts.reduce(0, +))
        let localBytes = local.map { UInt8($0 ? 1 : 0) }
        try localBytes.withUnsafeBytes { source in
            try bytes.withUnsafeMutableBytes { try allGather(source, counts: counts, into: $0) }
        }
        return bytes.map { $0 != 0 }
    }

    /// Rank 0's floats into `values` on every rank.
    public func broadcast(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: 0) }
    }
}

/// The group of one process: collectives copy or do nothing.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allGather(_ local: UnsafeRawBufferPointer, counts: [Int], into result: UnsafeMutableRawBufferPointer) {
        result.copyMemory(from: local)
    }
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {}
    public func abort(_ message: String, code: Int32) {}
}

/// A failed collective operation.
public struct DistributedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
