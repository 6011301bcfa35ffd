import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createEventBus,
  type ExtractEvent,
  type SiphonEvent,
  type SiphonEventMap,
} from '../../src/events.js';

const page = (resource: string, records = 2): SiphonEvent<'engine.page_fetched'> => ({
  type: 'engine.page_fetched',
  resource,
  index: 1,
  records,
  url: 'https://api.example.com/items?page=1',
});

describe('the event bus', () => {
  it('delivers an event to the subscribers of its name and to those of every event, in order', () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.on('engine.page_fetched', (e) => seen.push(`page:${e.resource}:${e.records}`));
    bus.on('http.retry', (e) => seen.push(`retry:${e.attempt}`));
    bus.onAny((e) => seen.push(`any:${e.type}`));

    bus.emit(page('invoices', 3));
    bus.emit({
      type: 'http.retry',
      url: 'https://api.example.com',
      attempt: 2,
      reason: 'HTTP 503',
      delayMs: 10,
    });
    bus.emit({ type: 'engine.resource_started', resource: 'invoices', resumed: false });

    expect(seen).toEqual([
      'page:invoices:3',
      'any:engine.page_fetched',
      'retry:2',
      'any:http.retry',
      'any:engine.resource_started',
    ]);
  });

  it('stops delivering once unsubscribed, by the returned function or by off', () => {
    const bus = createEventBus();
    const byName: number[] = [];
    const byAny: number[] = [];
    const unsubscribe = bus.on('engine.page_fetched', (e) => byName.push(e.records));
    const any = (e: SiphonEvent) => {
      if (e.type === 'engine.page_fetched') byAny.push(e.records);
    };
    bus.onAny(any);
    bus.emit(page('a', 1));
    unsubscribe();
    bus.off(any);
    bus.emit(page('a', 2));
    expect(byName).toEqual([1]);
    expect(byAny).toEqual([1]);
    expect(bus.listens('engine.page_fetched')).toBe(false);
    // Unsubscribing twice, or a listener never subscribed, changes nothing.
    unsubscribe();
    bus.off(() => {});
  });

  it('tells whether anyone listens to a name, so an emitter can skip building a payload', () => {
    const bus = createEventBus();
    expect(bus.listens('http.request')).toBe(false);
    const off = bus.on('http.request', () => {});
    expect(bus.listens('http.request')).toBe(true);
    expect(bus.listens('http.response')).toBe(false);
    off();
    bus.onAny(() => {});
    expect(bus.listens('http.response')).toBe(true);
  });

  it('never lets a throwing subscriber break the emitter or the other subscribers, and reports it', () => {
    const reported: Array<{ message: string; type: string }> = [];
    const bus = createEventBus({
      onListenerError: (error, event) =>
        reported.push({ message: (error as Error).message, type: event.type }),
    });
    const delivered: string[] = [];
    bus.on('engine.page_fetched', () => {
      throw new Error('metrics bug');
    });
    bus.on('engine.page_fetched', (e) => delivered.push(e.resource));
    bus.onAny(() => {
      throw new Error('log bug');
    });
    bus.onAny((e) => delivered.push(e.type));

    expect(() => bus.emit(page('invoices'))).not.toThrow();
    expect(delivered).toEqual(['invoices', 'engine.page_fetched']);
    expect(reported).toEqual([
      { message: 'metrics bug', type: 'engine.page_fetched' },
      { message: 'log bug', type: 'engine.page_fetched' },
    ]);
  });

  it('survives an error reporter that throws too, and works without one', () => {
    const failing = createEventBus({
      onListenerError: () => {
        throw new Error('reporter bug');
      },
    });
    const silent = createEventBus();
    const delivered: string[] = [];
    for (const bus of [failing, silent]) {
      bus.onAny(() => {
        throw new Error('listener bug');
      });
      bus.onAny((e) => delivered.push(e.type));
      expect(() => bus.emit(page('x'))).not.toThrow();
    }
    expect(delivered).toEqual(['engine.page_fetched', 'engine.page_fetched']);
  });

  it('lets a subscriber unsubscribe itself while an event is delivered', () => {
    const bus = createEventBus();
    const seen: number[] = [];
    const once = bus.on('engine.page_fetched', (e) => {
      seen.push(e.records);
      once();
    });
    bus.on('engine.page_fetched', (e) => seen.push(e.records * 10));
    bus.emit(page('a', 1));
    bus.emit(page('a', 2));
    expect(seen).toEqual([1, 10, 20]);
  });

  it('types each payload by its name: the map is the one list of event names', () => {
    const bus = createEventBus();
    bus.on('http.rate_limited', (e) => {
      expectTypeOf(e.type).toEqualTypeOf<'http.rate_limited'>();
      expectTypeOf(e.source).toEqualTypeOf<'budget' | 'server'>();
    });
    bus.onAny((e) => {
      if (e.type === 'engine.resource_failed') expectTypeOf(e.error).toEqualTypeOf<Error>();
    });
    expectTypeOf<ExtractEvent['type']>().toEqualTypeOf<
      keyof SiphonEventMap & `${'http' | 'engine'}.${string}`
    >();
    // @ts-expect-error: an unknown name is refused
    bus.on('engine.no_such_event', () => {});
    // @ts-expect-error: a payload that does not match its name is refused
    bus.emit({ type: 'engine.page_fetched', resource: 'a' });
  });
});
