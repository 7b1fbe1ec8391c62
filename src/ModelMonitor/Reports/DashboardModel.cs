namespace ModelMonitor.Reports;

public sealed record DashboardModel(int ModelCount, int SourceCount, int AppCount, int PinCount);
