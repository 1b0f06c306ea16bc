import Frontend
import Geometry

/// Place recognition by a bag of binary words with an inverted index (issue 8, METHOD.md §7).
///
/// The words come from locality-sensitive hashing of ORB descriptors rather than a trained
/// vocabulary: each of `tables` hash functions reads `bitsPerWord` fixed bit positions of the
/// 256-bit descriptor (positions drawn once from a seed), so two descriptors within a few bits of
/// each other share most of their words. A keyframe is its bag of words; keyframes are scored
/// against a query with TF-IDF weights through the inverted index (only keyframes sharing a word
/// are touched), and the scores are normalised by the two bags' norms (cosine similarity).
/// Nothing needs training, so the index works on any data from the first keyframe on.
public struct PlaceIndex: Sendable {
    /// Hash tables and bits per word: 8 × 12 by default (4096 words per table).
    public let tables: Int
    public let bitsPerWord: Int
    private let positions: [[Int]]
    /// word → (keyframe slot, occurrences)
    private var inverted: [Int: [(slot: Int, count: Int)]] = [:]
    /// Per keyframe: its frame index and its bag.
    private var frames: [Int] = []
    private var bags: [[Int: Int]] = []
    /// Norm of each keyframe's TF-IDF vector with the weights at its insertion.
    private var norms: [Double] = []

    public init(tables: Int = 8, bitsPerWord: Int = 12, seed: UInt64 = 0x10C0) {
        precondition(tables > 0 && (1...24).contains(bitsPerWord), "8–24 bits per word, at least one table")
        self.tables = tables; self.bitsPerWord = bitsPerWord
        var rng = SplitMix64(state: seed)
        positions = (0..<tables).map { _ in
            var chosen: [Int] = []
            while chosen.count < bitsPerWord {
                let p = Int(rng.next() % 256)
                if !chosen.contains(p) { chosen.append(p) }
            }
            return chosen
        }
    }

    /// Number of keyframes indexed.
    public var count: Int { frames.count }

    /// The words of one descriptor, one per table (table number in the high bits).
    func words(_ d: ORBDescriptor) -> [Int] {
        let w = [d.w0, d.w1, d.w2, d.w3]
        return positions.enumerated().map { t, bits in
            var word = 0
            for (k, p) in bits.enumerated() where (w[p >> 6] >> UInt64(p & 63)) & 1 == 1 { word |= 1 << k }
            return t << 24 | word
        }
    }

    /// The bag of words (word → occurrences) of a keyframe's descriptors.
    func bag(_ descriptors: [ORBDescriptor?]) -> [Int: Int] {
        var b: [Int: Int] = [:]
        for d in descriptors { if let d { for w in words(d) { b[w, default: 0] += 1 } } }
        return b
    }

    private func idf(_ word: Int) -> Double {
        let n = inverted[word]?.count ?? 0
        return log(1 + Double(frames.count + 1) / Double(n + 1))
    }

    private func norm(_ b: [Int: Int]) -> Double {
        var s = 0.0
        for (w, c) in b { let v = Double(c) * idf(w); s += v * v }
        return s.squareRoot()
    }

    /// Adds a keyframe (frame index `frame`) to the index.
    public mutating func insert(frame: Int, descriptors: [ORBDescriptor?]) {
        let b = bag(descriptors)
        let slot = frames.count
        frames.append(frame)
        bags.append(b)
        for (w, c) in b { inverted[w, default: []].append((slot, c)) }
        norms.append(norm(b))
    }

    /// Keyframes most similar to `descriptors`, best first, with cosine similarity of TF-IDF bags,
    /// among those whose frame index is at most `before`.
    public func query(_ descriptors: [ORBDescriptor?], before: Int, limit: Int = 5) -> [(frame: Int, score: Double)] {
        let q = bag(descriptors)
        var dot: [Int: Double] = [:]
        // Stop words: a word in more than a fifth of the keyframes says little and costs the most.
        let stop = max(8, frames.count / 5)
        for (w, c) in q {
            guard let postings = inverted[w], postings.count <= stop else { continue }
            let weight = idf(w)
            let qv = Double(c) * weight
            for (slot, count) in postings where frames[slot] <= before {
                dot[slot, default: 0] += qv * Double(count) * weight
            }
        }
        let qn = norm(q)
        guard qn > 0 else { return [] }
        let scored = dot.map { slot, d in (frame: frames[slot], score: d / (qn * max(norms[slot], 1e-12))) }
        return Array(scored.sorted { $0.score > $1.score }.prefix(limit))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
