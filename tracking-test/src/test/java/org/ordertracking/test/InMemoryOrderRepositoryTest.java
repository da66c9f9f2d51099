package org.ordertracking.test;

import org.ordertracking.core.OrderRepository;

class InMemoryOrderRepositoryTest extends OrderRepositoryContract {
    @Override
    protected OrderRepository createRepository() {
        return OrderRepository.inMemory();
    }
}
