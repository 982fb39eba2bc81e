import '@testing-library/jest-dom';

/*
 * jsdom has no layout: give every observed element a fixed size, so that
 * charts (which measure their container) render in tests.
 */
class FixedSizeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback(
      [
        {
          target,
          contentRect: {
            x: 0,
            y: 0,
            top: 0,
            left: 0,
            bottom: 300,
            right: 800,
            width: 800,
            height: 300,
          },
        } as unknown as ResizeObserverEntry,
      ],
      this as unknown as ResizeObserver,
    );
  }
  unobserve() {}
  disconnect() {}
}
window.ResizeObserver =
  FixedSizeResizeObserver as unknown as typeof ResizeObserver;

jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.requireActual('./__testUtils__/usePermissionMock')
    .usePermissionMock,
}));
