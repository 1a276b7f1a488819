// SPDX-License-Identifier: MIT
/// A first-in first-out queue with O(1) amortised push and pop.
struct FIFO<Element> {
    private var items: [Element?] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }
    var first: Element? { isEmpty ? nil : items[head] }

    mutating func push(_ element: Element) { items.append(element) }

    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        // Moved out, not copied: no reference counting per element.
        var element: Element? = nil
        swap(&element, &items[head])
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Moves every element of `other` to the end of this queue, leaving
    /// `other` empty (its storage is taken whole when this queue is empty).
    mutating func takeAll(from other: inout FIFO<Element>) {
        if isEmpty {
            swap(&self, &other)
            other.removeAll(keepingCapacity: true)
            return
        }
        while let element = other.pop() { push(element) }
    }

    mutating func removeAll(keepingCapacity: Bool = false) {
        items.removeAll(keepingCapacity: keepingCapacity)
        head = 0
    }
}

extension FIFO: Sendable where Element: Sendable {}

extension FIFO {
    /// The elements from first to last, without taking them.
    func forEach(_ body: (Element) -> Void) {
        for index in head..<items.count {
            if let element = items[index] { body(element) }
        }
    }
}
