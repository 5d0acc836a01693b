/** The bench report: lines to print, and the targets each section checks its measurements against. */
import { usd } from './stats';
import { formatNumber } from './table';

export const MONTH_EVENTS = 50_000;

export const TARGETS = {
  roundTripsToStop: 5,
  lambdaColdStartsToStop: 2,
  transitionsToStop: 8,
  transitionsPerExecution: 20,
  moduleInitMs: 60,
  replay10kSeconds: 5,
  replayPeakRssMb: 300,
  /** 10k ms/finding within this factor of 1k ms/finding counts as linear. */
  linearTolerance: 1.25,
} as const;

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

export class Report {
  readonly lines: string[] = [];
  readonly checks: TargetCheck[] = [];
  readonly say = (line = ''): void => {
    this.lines.push(line);
  };
}

export const fmtUsd = (v: number) => usd(v);
export const n = (v: number, digits?: number) => formatNumber(v, digits);
