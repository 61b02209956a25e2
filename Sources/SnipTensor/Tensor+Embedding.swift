// Embedding lookup: rows of a table gathered by integer ids.

extension Tensor {
    /// Rows of `table` ([vocabulary, width]) for each id; the result has shape
    /// `idsShape + [width]`. The gradient is scattered back into the table's rows, except the
    /// `paddingIndex` row, which never receives one (PyTorch's `padding_idx`).
    public static func embedding(
        _ table: Tensor, ids: [Int], shape idsShape: [Int], paddingIndex: Int? = nil
    ) -> Tensor {
        precondition(table.rank == 2, "embedding table must be 2-D, got \(describe(table.shape))")
        precondition(idsShape.reduce(1, *) == ids.count, "\(ids.count) ids do not fill \(describe(idsShape))")
        let (rows, width) = (table.shape[0], table.shape[1])
        for id in ids {
            precondition(id >= 0 && id < rows, "embedding id \(id) is out of range 0..<\(rows)")
        }
        let result = Tensor.uninitialized(idsShape + [width])
        for (i, id) in ids.enumerated() {
            (result.storage.pointer + i * width).update(from: table.storage.pointer + id * width, count: width)
        }
        return result.recording([table]) { g in
            let dt = Tensor.zeros(table.shape)
            for (i, id) in ids.enumerated() where id != paddingIndex {
                let target = dt.storage.pointer + id * width
                let source = g.storage.pointer + i * width
                for j in 0..<width { target[j] += source[j] }
            }
            return [dt]
        }
    }
}
