-- Cancellation requested through any replica: the run's lease holder polls it and stops the run.
ALTER TABLE runs ADD COLUMN cancel_requested_at timestamptz;
