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

  @S-SETTINGS
  Scenario: Every switch is listed with its default
    Then SIA's settings list these switches:
      | setting                   | default |
      | email_logging             | on      |
      | call_logging              | on      |
      | task_sync                 | off     |
      | unsubscribe_sync          | on      |
      | marketo_unsubscribe_check | off     |

  @S-SETTINGS
  Scenario: A switch takes effect on the next action
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a seller sends the sales email "First" to "carla@acme.example"
    And the setting "email_logging" is switched off
    And a seller sends the sales email "Second" to "carla@acme.example"
    And the setting "email_logging" is switched on
    And a seller sends the sales email "Third" to "carla@acme.example"
    Then Salesforce has 2 Tasks on the contact "carla@acme.example"

  @S-SETTINGS
  Scenario: A switch refuses what is neither on nor off, and keeps its value
    When an admin sets the setting "task_sync" to "maybe"
    Then the request is refused with a clear error
    And the setting "task_sync" is still off

  @S-SETTINGS @U-MARKETO-CHECK
  Scenario: The Marketo Unsubscribe Check takes effect on the next send
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a seller sends the sales email "First" to "lena@leadco.example"
    Then the send did not ask Marketo whether anyone is unsubscribed
    When the setting "marketo_unsubscribe_check" is switched on
    And a seller sends the sales email "Second" to "lena@leadco.example"
    Then the send asked Marketo exactly once whether "lena@leadco.example" is unsubscribed
