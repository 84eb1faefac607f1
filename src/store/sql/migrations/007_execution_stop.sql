-- StopExecution requested through any replica: the execution's lease holder polls it and aborts.
ALTER TABLE workflow_executions ADD COLUMN stop_requested_at timestamptz;
