import Dispatch
import Foundation
import Geometry
import LoopClosure
import PoseGraph

/// Solves loop corrections off the caller's thread: the newest `LoopGraph` handed in is solved
/// on a serial background queue (graphs that arrive while one is solving replace each other, so
/// at most one waits), and the newest solved map ← odometry transform is there to read at any
/// time without waiting.
final class CorrectionWorker: @unchecked Sendable {
    /// What a finished solve gives the frames after it.
    struct Solved: Sendable {
        /// `T_map_odometry`: composed with an odometry pose, the map-corrected pose.
        var mapFromOdometry: SE3
        /// Loops the correction accepted.
        var accepted: Int
        /// Keyframes the solved graph held.
        var keyframes: Int
        var seconds: Double
    }

    // `pending`, `running`, `latest`, `failures` and `solves` are guarded by `lock`.
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "parallax.loop-correction", qos: .utility)
    private var pending: LoopGraph?
    private var running = false
    private var latest: Solved?
    private var failures = 0
    private var solves = 0

    /// Queues `graph` for solving, replacing a graph still waiting.
    func submit(_ graph: LoopGraph) {
        lock.lock()
        pending = graph
        let start = !running
        running = true
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            lock.lock()
            guard let graph = pending else { running = false; lock.unlock(); return }
            pending = nil
            lock.unlock()
            let t0 = Date()
            let result = Result(catching: { () throws(PoseGraphError) -> LoopGraph.Correction in try graph.correct() })
            lock.lock()
            switch result {
            case .success(let c):
                latest = Solved(mapFromOdometry: graph.mapFromOdometry(c), accepted: c.accepted.count,
                                keyframes: graph.keyframes.count, seconds: Date().timeIntervalSince(t0))
                solves += 1
            case .failure:
                // The previous correction stays in use; the final solve reports its own error.
                failures += 1
            }
            lock.unlock()
        }
    }

    /// The newest solved correction (nil before the first), without waiting.
    var current: Solved? {
        lock.lock(); defer { lock.unlock() }
        return latest
    }

    /// Corrections solved so far.
    var solved: Int {
        lock.lock(); defer { lock.unlock() }
        return solves
    }

    /// Solves that failed (their graphs were not used).
    var failed: Int {
        lock.lock(); defer { lock.unlock() }
        return failures
    }

    /// Blocks until no graph is waiting or solving.
    func waitUntilIdle() { queue.sync {} }
}
