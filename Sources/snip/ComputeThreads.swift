import Foundation

/// Runs the tensor library on one compute thread unless `SNIP_THREADS` says otherwise: SNIP's
/// decoder works on tiny matrices, which one thread decodes fastest (3× faster than two on
/// the 2-core development machine). Call before the first tensor operation.
func preferOneComputeThread() {
    if getenv("SNIP_THREADS") == nil { setenv("SNIP_THREADS", "1", 1) }
}
