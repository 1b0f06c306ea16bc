import Foundation
import Frontend
import Geometry

/// Errors reading or training a vocabulary.
public enum VocabularyError: Error, CustomStringConvertible, Sendable {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// The file is not a vocabulary of this format (or is truncated).
    case malformed(path: String, reason: String)
    /// Training needs at least as many descriptors as the branching factor.
    case tooFewDescriptors(Int, needed: Int)
    case badOption(String)

    public var description: String {
        switch self {
        case .io(let p, let r): return "\(p): \(r)"
        case .malformed(let p, let r): return "\(p): not a Parallax vocabulary: \(r)"
        case .tooFewDescriptors(let n, let k): return "vocabulary training needs at least \(k) descriptors (got \(n))"
        case .badOption(let s): return s
        }
    }
}

/// A vocabulary tree of binary words (METHOD.md §7, the DBoW idea): ORB descriptors clustered
/// hierarchically by k-majority (k-means under the Hamming distance, centres by bitwise majority
/// vote), `branching` children per node and `depth` levels. A descriptor's word is the leaf reached
/// by descending to the nearest centre at every level: `depth · branching` Hamming distances.
///
/// Trained by `parallax vocab` from any image sequences (written to a file), or on first use from a
/// run's own first keyframes (`LoopClosureConfig.vocabulary`).
public struct Vocabulary: Sendable {
    public let branching: Int
    public let depth: Int
    /// Node centres, level by level; `children[n]` is the range of node n's children in `nodes`
    /// (empty for a leaf), and `leafWord[n]` the word of leaf n (−1 for inner nodes).
    private var nodes: [ORBDescriptor] = []
    private var children: [Range<Int>] = []
    private var leafWord: [Int32] = []
    /// Number of words (leaves).
    public private(set) var wordCount = 0

    /// Trains a vocabulary from descriptors. Deterministic for a given `seed`.
    public init(training descriptors: [ORBDescriptor], branching: Int = 10, depth: Int = 3,
                iterations: Int = 8, seed: UInt64 = 0xB0B) throws(VocabularyError) {
        guard (2...64).contains(branching), (1...8).contains(depth) else {
            throw .badOption("vocabulary: branching must be 2–64 and depth 1–8 (got \(branching), \(depth))")
        }
        guard descriptors.count >= branching else { throw .tooFewDescriptors(descriptors.count, needed: branching) }
        self.branching = branching; self.depth = depth
        var rng = SplitMix64(state: seed)
        nodes = [ORBDescriptor(w0: 0, w1: 0, w2: 0, w3: 0)]
        children = [0..<0]
        leafWord = [-1]
        // Breadth-first: (node, its descriptors, level).
        var queue: [(node: Int, members: [ORBDescriptor], level: Int)] = [(0, descriptors, 0)]
        var head = 0
        while head < queue.count {
            let (node, members, level) = queue[head]
            queue[head].members = []
            head += 1
            guard level < depth, members.count > 1 else { continue }
            let groups = Vocabulary.cluster(members, k: branching, iterations: iterations, rng: &rng)
            let first = nodes.count
            for g in groups {
                nodes.append(g.centre); children.append(0..<0); leafWord.append(-1)
                queue.append((nodes.count - 1, g.members, level + 1))
            }
            children[node] = first..<nodes.count
        }
        for n in nodes.indices where children[n].isEmpty && n != 0 {
            leafWord[n] = Int32(wordCount); wordCount += 1
        }
    }

    /// k-majority clustering: k-means++ seeding under Hamming distance, then assignment / bitwise
    /// majority rounds. Returns the non-empty clusters with their centres.
    static func cluster(_ x: [ORBDescriptor], k: Int, iterations: Int,
                        rng: inout SplitMix64) -> [(centre: ORBDescriptor, members: [ORBDescriptor])] {
        if x.count <= k { return x.map { ($0, [$0]) } }
        // Greedy k-means++: of a few D²-weighted draws, the one that lowers the potential most.
        var centres = [x[Int(rng.next() % UInt64(x.count))]]
        var nearest = x.map { $0.distance(to: centres[0]) }
        let draws = 2 + Int(log(Double(k)).rounded(.up))
        while centres.count < k {
            let total = nearest.reduce(0) { $0 + $1 * $1 }
            guard total > 0 else { break }
            var best: (potential: Int, pick: Int, nearest: [Int])?
            for _ in 0..<draws {
                var r = Int(rng.next() % UInt64(total)), pick = 0
                for (i, d) in nearest.enumerated() { r -= d * d; if r < 0 { pick = i; break } }
                var updated = nearest, potential = 0
                for i in x.indices { updated[i] = min(updated[i], x[i].distance(to: x[pick])); potential += updated[i] * updated[i] }
                if potential < best?.potential ?? Int.max { best = (potential, pick, updated) }
            }
            guard let chosen = best else { break }
            centres.append(x[chosen.pick])
            nearest = chosen.nearest
        }
        var assignment = [Int](repeating: -1, count: x.count)
        for _ in 0..<max(1, iterations) {
            var changed = false
            for (i, d) in x.enumerated() {
                let c = nearestIndex(d, centres)
                if c != assignment[i] { assignment[i] = c; changed = true }
            }
            majorityCentres(x, assignment, &centres)
            if !changed { break }
        }
        var members = [[ORBDescriptor]](repeating: [], count: centres.count)
        for (i, d) in x.enumerated() { members[assignment[i]].append(d) }
        return centres.indices.filter { !members[$0].isEmpty }.map { (centres[$0], members[$0]) }
    }

    /// Each non-empty cluster's centre becomes the bitwise majority of its members. The bit counts
    /// sit in one flat buffer (cluster-major, 256 per cluster): this is the training's inner loop,
    /// run for every set bit of every descriptor in every round.
    private static func majorityCentres(_ x: [ORBDescriptor], _ assignment: [Int], _ centres: inout [ORBDescriptor]) {
        var counts = [Int32](repeating: 0, count: centres.count * 256)
        var sizes = [Int](repeating: 0, count: centres.count)
        counts.withUnsafeMutableBufferPointer { counts in
            func count(_ word: UInt64, from base: Int) {
                var v = word
                while v != 0 { counts[base + v.trailingZeroBitCount] += 1; v &= v - 1 }
            }
            for (i, d) in x.enumerated() {
                let c = assignment[i]
                sizes[c] += 1
                count(d.w0, from: c * 256); count(d.w1, from: c * 256 + 64)
                count(d.w2, from: c * 256 + 128); count(d.w3, from: c * 256 + 192)
            }
            for c in centres.indices where sizes[c] > 0 {
                var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                for b in 0..<256 where 2 * Int(counts[c * 256 + b]) > sizes[c] {
                    let bit = UInt64(1) << UInt64(b & 63)
                    switch b >> 6 {
                    case 0: w.0 |= bit
                    case 1: w.1 |= bit
                    case 2: w.2 |= bit
                    default: w.3 |= bit
                    }
                }
                centres[c] = ORBDescriptor(w0: w.0, w1: w.1, w2: w.2, w3: w.3)
            }
        }
    }

    @inline(__always) static func nearestIndex(_ d: ORBDescriptor, _ centres: [ORBDescriptor]) -> Int {
        var best = Int.max, index = 0
        for (j, c) in centres.enumerated() {
            let h = d.distance(to: c)
            if h < best { best = h; index = j }
        }
        return index
    }

    /// The word of a descriptor (0 ..< wordCount).
    public func word(_ d: ORBDescriptor) -> Int {
        var n = 0
        while !children[n].isEmpty {
            var best = Int.max, next = children[n].lowerBound
            for c in children[n] {
                let h = d.distance(to: nodes[c])
                if h < best { best = h; next = c }
            }
            n = next
        }
        return Int(leafWord[n])
    }
}

// MARK: - File format

extension Vocabulary {
    /// File header: magic, version.
    private static let magic: [UInt8] = Array("PXVOCAB1".utf8)

    /// Writes the vocabulary: "PXVOCAB1", branching, depth, node count (UInt32 little endian), then
    /// per node its 32-byte centre, first child and child count (UInt32 each).
    public func write(to url: URL) throws(VocabularyError) {
        var data = Data(Vocabulary.magic)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        u32(branching); u32(depth); u32(nodes.count)
        for (n, c) in nodes.enumerated() {
            for w in [c.w0, c.w1, c.w2, c.w3] { withUnsafeBytes(of: w.littleEndian) { data.append(contentsOf: $0) } }
            u32(children[n].lowerBound); u32(children[n].count)
        }
        do { try data.write(to: url, options: .atomic) } catch { throw .io(path: url.path, reason: fileErrorReason(error)) }
    }

    /// Reads a vocabulary written by `write(to:)`.
    public init(contentsOf url: URL) throws(VocabularyError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .io(path: url.path, reason: "cannot read: \(fileErrorReason(error))") }
        let bytes = [UInt8](data)
        func bad(_ r: String) -> VocabularyError { .malformed(path: url.path, reason: r) }
        guard bytes.count >= 20, Array(bytes[0..<8]) == Vocabulary.magic else { throw bad("missing the PXVOCAB1 header") }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) } }
        branching = u32(8); depth = u32(12)
        let count = u32(16)
        guard (2...64).contains(branching), (1...8).contains(depth), count >= 1 else { throw bad("branching \(branching), depth \(depth), \(count) nodes") }
        guard bytes.count == 20 + count * 40 else { throw bad("\(bytes.count) bytes for \(count) nodes (expected \(20 + count * 40))") }
        for n in 0..<count {
            let o = 20 + n * 40
            nodes.append(ORBDescriptor(w0: u64(o), w1: u64(o + 8), w2: u64(o + 16), w3: u64(o + 24)))
            let first = u32(o + 32), k = u32(o + 36)
            guard k == 0 || (first > n && first + k <= count && k <= branching) else { throw bad("node \(n) has children \(first)..<\(first + k)") }
            children.append(first..<(first + k))
        }
        leafWord = [Int32](repeating: -1, count: count)
        for n in 1..<max(count, 1) where children[n].isEmpty { leafWord[n] = Int32(wordCount); wordCount += 1 }
        guard count > 1, !children[0].isEmpty else { throw bad("an empty tree") }
    }
}
