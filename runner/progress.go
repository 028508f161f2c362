package runner

import "github.com/coursectl/coursectl/result"

// Skipped reports whether step i's checkpoint stands for a skip (the
// learner pressed s, or the step is marked skip), not a pass. Only a step
// that has a checkpoint and passed counts as done; a skipped one is not run
// again on resume (its checkpoint is the state as it stood), but it is not
// done. What a checkpoint stands for is kept in the run record, which
// carries a skip from run to run (docs/walkthrough.md).
func (p *Progress) Skipped(i int) bool {
	if i < 0 || i >= len(p.Done) || !p.Done[i] || p.LastRun == nil {
		return false
	}
	for _, s := range p.LastRun.Steps {
		if s.Index == i+1 {
			return s.Status == result.Skipped
		}
	}
	return false
}

// Passed reports whether step i is done: it has a checkpoint and passed.
func (p *Progress) Passed(i int) bool {
	return i >= 0 && i < len(p.Done) && p.Done[i] && !p.Skipped(i)
}

// carriedStatus is what the last record says of the step with index i+1
// that a checkpoint stands for now: skipped stays skipped from run to run.
func carriedStatus(last *result.Module, index int) (result.Status, string) {
	if last != nil {
		for _, s := range last.Steps {
			if s.Index == index && s.Status == result.Skipped {
				return result.Skipped, s.Note
			}
		}
	}
	return result.Passed, ""
}

// Carried is what step i's checkpoint stands for: result.Passed, or
// result.Skipped with the skip's note, as the run that made it reported
// it; result.NotRun when the step has no checkpoint.
func (p *Progress) Carried(i int) (result.Status, string) {
	if i < 0 || i >= len(p.Done) || !p.Done[i] {
		return result.NotRun, ""
	}
	return carriedStatus(p.LastRun, i+1)
}
