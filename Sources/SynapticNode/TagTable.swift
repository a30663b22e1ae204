// TagTable: per-SA values of the data paths (the SA itself, its ESP destination, what was reported about
// it) by the SA's tag, the small integer the SADatabase carries with each SA and the processors report per
// packet.
//
//   insert(value) → a free tag (one released earlier, else the next new one)
//   insert { tag in value } → the same, for a value that needs its own tag (the SA installed under it)
//   remove(tag)   → the tag is free again (its SA was removed or replaced)
//   self[tag]     → the value, an array index (no hashing per packet)
// Tags are reused, so the table holds as many entries as SAs were installed at once at most, not one per
// SA ever installed.

/// Values by SA tag with reuse of released tags. Owned by one data path's thread; a value type.
struct TagTable<Element> {
    private var elements: [Element?] = []
    private var free: [Int] = []

    /// Tags in use.
    var count: Int { elements.count - free.count }

    /// Tags ever handed out at once (the table's size).
    var capacity: Int { elements.count }

    /// Stores `value` under a free tag and returns the tag.
    mutating func insert(_ value: Element) -> Int {
        insert { _ in value }
    }

    /// Stores what `make` builds for a free tag under that tag and returns the tag; if `make` throws,
    /// nothing is stored and the tag stays free.
    mutating func insert<Failure: Error>(_ make: (Int) throws(Failure) -> Element) throws(Failure) -> Int {
        let tag = free.last ?? elements.count
        let value = try make(tag)
        if tag < elements.count {
            free.removeLast()
            elements[tag] = value
        } else {
            elements.append(value)
        }
        return tag
    }

    /// Frees `tag` (a tag not in use is ignored).
    mutating func remove(_ tag: Int) {
        guard elements.indices.contains(tag), elements[tag] != nil else { return }
        elements[tag] = nil
        free.append(tag)
    }

    /// The value of a tag in use (a tag from `insert` not removed since: the caller's invariant).
    subscript(tag: Int) -> Element {
        get {
            guard let value = elements[tag] else { preconditionFailure("SA tag \(tag) is not in use") }
            return value
        }
        set {
            precondition(elements[tag] != nil, "SA tag \(tag) is not in use")
            elements[tag] = newValue
        }
    }
}
