package io.pgkb.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** An ObjectStore that passes every call to another: decorators (encryption) and tests (failure injection) override what they change. */
public abstract class ForwardingStore implements ObjectStore {
    protected final ObjectStore delegate;

    protected ForwardingStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public ObjectWriter create(String key) throws IOException {
        return delegate.create(key);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return delegate.open(key);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return delegate.exists(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
        delegate.delete(key);
    }

    @Override
    public String describe(String key) {
        return delegate.describe(key);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
