import Dispatch
import Foundation
import Geometry
import LoopClosure
import Odometry
import PoseGraph

/// Runs the loop closer off the caller's thread: keyframes handed in are recognised, verified
/// and, when they bring new loops, corrected on one serial background queue; the newest solved
/// map ← odometry transform is there to read at any time without waiting. Keyframes that arrive
/// while the queue is busy are taken together, and one correction covers them all.
final class LoopWorker: @unchecked Sendable {
    /// What a finished correction gives the frames after it.
    struct Solved: Sendable {
        /// `T_map_odometry`: composed with an odometry pose, the map-corrected pose.
        var mapFromOdometry: SE3
        /// Loops the correction accepted.
        var accepted: Int
        /// Corrections solved so far, this one included.
        var count: Int
    }

    /// Touched only on `queue` (and by the caller once `waitUntilIdle` has returned).
    let closer: LoopCloser
    private var correctedLoops = 0
    // `pending`, `draining`, `latest` and `failures` are guarded by `lock`.
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "parallax.loop-closure", qos: .userInitiated)
    /// Keyframes to add and keyframe poses to move, in the order the odometry gave them.
    private enum Work { case add(KeyframeSnapshot), move([Int: SE3]) }
    private var pending: [Work] = []
    private var draining = false
    private var latest: Solved?
    private var failures = 0

    init(_ closer: LoopCloser) { self.closer = closer }

    /// Queues a keyframe for place recognition (and a correction if it brings a loop).
    func add(_ keyframe: KeyframeSnapshot) { enqueue(.add(keyframe)) }

    /// Queues newer poses of keyframes, by keyframe number (the window's optimisation).
    func move(_ poses: [Int: SE3]) { enqueue(.move(poses)) }

    private func enqueue(_ work: Work) {
        lock.lock()
        pending.append(work)
        let start = !draining
        draining = true
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            lock.lock()
            let batch = pending
            pending = []
            if batch.isEmpty { draining = false; lock.unlock(); return }
            lock.unlock()
            for work in batch {
                switch work {
                case .add(let k): closer.add(k)
                case .move(let poses): closer.moveKeyframes(poses)
                }
            }
            guard closer.loops.count > correctedLoops else { continue }
            correctedLoops = closer.loops.count
            let graph = closer.graph
            let result = Result(catching: { () throws(PoseGraphError) -> LoopGraph.Correction in try graph.correct() })
            lock.lock()
            switch result {
            case .success(let c):
                latest = Solved(mapFromOdometry: graph.mapFromOdometry(c), accepted: c.accepted.count, count: (latest?.count ?? 0) + 1)
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

    /// Corrections that failed to solve (their graphs were not used).
    var failed: Int {
        lock.lock(); defer { lock.unlock() }
        return failures
    }

    /// Blocks until every keyframe handed in has been recognised and its correction solved.
    func waitUntilIdle() { queue.sync {} }
}
