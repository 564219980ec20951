Feature: Setting up the data sync
  An admin starts the data sync after seeing the fields that will sync; nothing syncs
  before that.

  @S-INITIATE
  Scenario: The admin is shown the 13 fields before starting the sync
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin opens the data sync set-up
    Then the fields shown are exactly the 13 synced fields
    And SIA has no people

  @S-INITIATE
  Scenario: Nothing syncs before the admin starts the data sync
    Given the data set "owner-filter" in Salesforce and Marketo
    When SIA runs the incremental sync
    Then SIA has no people
    When the admin starts the data sync
    Then SIA has 4 people
